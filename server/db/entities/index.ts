import { Account } from './account.js';
import { AuditEvent } from './audit-event.js';
import { Client } from './client.js';
import { Credential } from './credential.js';
import { OidcPayload } from './oidc-payload.js';
import { OutboxMessage } from './outbox-message.js';
import { Secret } from './secret.js';
import { SigningKey } from './signing-key.js';
import { VerificationCode } from './verification-code.js';

export type { CodePurpose } from './verification-code.js';
export type { KeyStatus } from './signing-key.js';
export { Account, AuditEvent, Client, Credential, OidcPayload, OutboxMessage, Secret, SigningKey, VerificationCode };

export const entities = [Account, AuditEvent, Client, Credential, OidcPayload, OutboxMessage, Secret, SigningKey, VerificationCode];
