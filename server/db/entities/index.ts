import { Account } from './account.js';
import { ApiResource } from './api-resource.js';
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
import { Operator } from './operator.js';
import { OperatorSetupLink } from './operator-setup-link.js';
import { OutboxMessage } from './outbox-message.js';
import { PendingTenantChoice } from './pending-tenant-choice.js';
import { RolePermission } from './role-permission.js';
import { RecoveryCode } from './recovery-code.js';
import { Secret } from './secret.js';
import { SessionSignIn } from './session-sign-in.js';
import { SigningKey } from './signing-key.js';
import { Tenant } from './tenant.js';
import { TenantRole } from './tenant-role.js';
import { UpstreamSignIn } from './upstream-sign-in.js';
import { VerificationCode } from './verification-code.js';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent } from './webhook.js';
import { TenantDomain } from './tenant-domain.js';
import { JoinRequest } from './join-request.js';
import { WebauthnChallenge } from './webauthn-challenge.js';
import { OneTimeCode } from './one-time-code.js';

export type { CodePurpose } from './verification-code.js';
export type { CredentialType } from './credential.js';
export type { ChallengePurpose } from './webauthn-challenge.js';
export type { OneTimeCodePurpose } from './one-time-code.js';
export type { KeyStatus } from './signing-key.js';
export type { Delivery } from './invitation.js';
export type { WebhookDeliveryStatus } from './webhook.js';
export type { DomainMethod, JoinPolicy } from './tenant-domain.js';
export type { JoinStatus } from './join-request.js';
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
  Operator,
  OperatorSetupLink,
  ApiResource,
  RolePermission,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  TenantDomain,
  JoinRequest,
  RecoveryCode,
  WebauthnChallenge,
  Connection,
  Identity,
  UpstreamSignIn,
  SessionSignIn,
  OneTimeCode,
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
  Operator,
  OperatorSetupLink,
  ApiResource,
  RolePermission,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  TenantDomain,
  JoinRequest,
  RecoveryCode,
  WebauthnChallenge,
  Connection,
  Identity,
  UpstreamSignIn,
  SessionSignIn,
  OneTimeCode,
];
