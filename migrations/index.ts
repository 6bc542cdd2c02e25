import { Foundation1732200000000 } from './1732200000000-foundation.js';
import { RateLimits1732200000001 } from './1732200000001-rate-limits.js';
import { Tenants1732200000002 } from './1732200000002-tenants.js';
import { Invitations1732200000003 } from './1732200000003-invitations.js';
import { OidcPayloadAccounts1732200000030 } from './1732200000030-oidc-payload-accounts.js';
import { DpopProofs1732200000040 } from './1732200000040-dpop-proofs.js';
import { PendingTenantChoices1732200000050 } from './1732200000050-pending-tenant-choices.js';
import { AuditActor1732200000101 } from './1732200000101-audit-actor.js';
import { WriteGuards1732200000200 } from './1732200000200-write-guards.js';
import { ApiResources1732200000300 } from './1732200000300-api-resources.js';
import { Operators1732200000400 } from './1732200000400-operators.js';
import { Webhooks1732200000450 } from './1732200000450-webhooks.js';
import { Federation1732200000500 } from './1732200000500-federation.js';
import { SessionSignIns1732200000501 } from './1732200000501-session-sign-ins.js';
import { TenantDomains1732200000550 } from './1732200000550-tenant-domains.js';
import { ConnectionMembership1732200000560 } from './1732200000560-connection-membership.js';
import { AuditSubject1732200000570 } from './1732200000570-audit-subject.js';
import { SecondFactors1732200000600 } from './1732200000600-second-factors.js';
import { OneTimeCodes1732200000610 } from './1732200000610-one-time-codes.js';
import { InvitationPhones1732200000650 } from './1732200000650-invitation-phones.js';
import { SamlAssertions1732200000800 } from './1732200000800-saml-assertions.js';
import { DomainSignIn1732200000850 } from './1732200000850-domain-sign-in.js';
import { InvitationGuardrails1732200000900 } from './1732200000900-invitation-guardrails.js';
import { MembershipProvenance1732200000920 } from './1732200000920-membership-provenance.js';
import { AccountEmails1732200000940 } from './1732200000940-account-emails.js';
import { TermsAcceptance1732200000960 } from './1732200000960-terms-acceptance.js';
import { InvitationClaims1732200000961 } from './1732200000961-invitation-claims.js';
import { InvitationProfiles1732200000962 } from './1732200000962-invitation-profiles.js';
import { AuditMilliseconds1732200000990 } from './1732200000990-audit-milliseconds.js';

/** Every migration, oldest first. */
export const migrations = [
  Foundation1732200000000,
  RateLimits1732200000001,
  Tenants1732200000002,
  Invitations1732200000003,
  OidcPayloadAccounts1732200000030,
  DpopProofs1732200000040,
  PendingTenantChoices1732200000050,
  AuditActor1732200000101,
  WriteGuards1732200000200,
  ApiResources1732200000300,
  Operators1732200000400,
  Webhooks1732200000450,
  Federation1732200000500,
  SessionSignIns1732200000501,
  TenantDomains1732200000550,
  ConnectionMembership1732200000560,
  AuditSubject1732200000570,
  SecondFactors1732200000600,
  OneTimeCodes1732200000610,
  InvitationPhones1732200000650,
  SamlAssertions1732200000800,
  DomainSignIn1732200000850,
  InvitationGuardrails1732200000900,
  MembershipProvenance1732200000920,
  AccountEmails1732200000940,
  TermsAcceptance1732200000960,
  InvitationClaims1732200000961,
  InvitationProfiles1732200000962,
  AuditMilliseconds1732200000990,
];
