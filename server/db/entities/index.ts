import { Account } from './account.js';
import { AuditEvent } from './audit-event.js';
import { Client } from './client.js';
import { Credential } from './credential.js';
import { DpopProof } from './dpop-proof.js';
import { GrantTenant } from './grant-tenant.js';
import { Invitation } from './invitation.js';
import { InvitationRedemption } from './invitation-redemption.js';
import { Membership } from './membership.js';
import { MembershipRole } from './membership-role.js';
import { OidcPayload } from './oidc-payload.js';
import { OutboxMessage } from './outbox-message.js';
import { PendingTenantChoice } from './pending-tenant-choice.js';
import { RecoveryCode } from './recovery-code.js';
import { Secret } from './secret.js';
import { SigningKey } from './signing-key.js';
import { Tenant } from './tenant.js';
import { TenantRole } from './tenant-role.js';
import { VerificationCode } from './verification-code.js';
import { WebauthnChallenge } from './webauthn-challenge.js';

export type { CodePurpose } from './verification-code.js';
export type { CredentialType } from './credential.js';
export type { ChallengePurpose } from './webauthn-challenge.js';
export type { KeyStatus } from './signing-key.js';
export type { Delivery } from './invitation.js';
export {
  Account,
  AuditEvent,
  Client,
  Credential,
  GrantTenant,
  Invitation,
  InvitationRedemption,
  Membership,
  MembershipRole,
  OidcPayload,
  OutboxMessage,
  Secret,
  SigningKey,
  Tenant,
  TenantRole,
  VerificationCode,
  DpopProof,
  PendingTenantChoice,
  RecoveryCode,
  WebauthnChallenge,
};

export const entities = [
  Account,
  AuditEvent,
  Client,
  Credential,
  GrantTenant,
  Invitation,
  InvitationRedemption,
  Membership,
  MembershipRole,
  OidcPayload,
  OutboxMessage,
  Secret,
  SigningKey,
  Tenant,
  TenantRole,
  VerificationCode,
  DpopProof,
  PendingTenantChoice,
  RecoveryCode,
  WebauthnChallenge,
];
