// The data model: the entity classes (model.ts, one line each) and the types beside them.
import * as model from './model.js';

export * from './model.js';
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
export { SOURCE_TYPES, type SourceType } from './provenance.js';

/** Every entity, for the data source: each class model.ts exports. */
export const entities = Object.values(model);
