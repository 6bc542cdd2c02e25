import { Account } from './account.js';
import { AuditEvent } from './audit-event.js';
import { Client } from './client.js';
import { Connection } from './connection.js';
import { Credential } from './credential.js';
import { DpopProof } from './dpop-proof.js';
import { GrantTenant } from './grant-tenant.js';
import { Identity } from './identity.js';
import { Invitation } from './invitation.js';
import { InvitationRedemption } from './invitation-redemption.js';
import { Membership } from './membership.js';
import { MembershipRole } from './membership-role.js';
import { OidcPayload } from './oidc-payload.js';
import { OutboxMessage } from './outbox-message.js';
import { PendingTenantChoice } from './pending-tenant-choice.js';
import { Secret } from './secret.js';
import { SessionSignIn } from './session-sign-in.js';
import { SigningKey } from './signing-key.js';
import { Tenant } from './tenant.js';
import { TenantRole } from './tenant-role.js';
import { UpstreamSignIn } from './upstream-sign-in.js';
import { VerificationCode } from './verification-code.js';

export type { CodePurpose } from './verification-code.js';
export type { KeyStatus } from './signing-key.js';
export type { Delivery } from './invitation.js';
export type { ConnectionKind } from './connection.js';
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
  Connection,
  Identity,
  UpstreamSignIn,
  SessionSignIn,
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
  Connection,
  Identity,
  UpstreamSignIn,
  SessionSignIn,
];
