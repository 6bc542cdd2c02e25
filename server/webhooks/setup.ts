// Webhooks for a server or the CLI: the service, the outbox transport, and the audit listener that emits events.
import type { Config } from '../config.js';
import { addAuditListener } from '../db/audit.js';
import type { Database } from '../db/database.js';
import { SecretBox } from '../keys/sealing.js';
import { emitAudited } from './emit.js';
import { WebhookService } from './service.js';
import { policyFor } from './ssrf.js';
import { WebhookTransport } from './transport.js';

export interface Webhooks {
  service: WebhookService;
  /** The outbox's `webhook` channel, for the delivery worker. */
  transport: WebhookTransport;
}

export function setUpWebhooks(db: Database, config: Pick<Config, 'production'>, sealingKeys: string[]): Webhooks {
  const box = new SecretBox(sealingKeys, 'webhook-secrets');
  const policy = policyFor(config.production);
  // Every audited change that is a webhook event is written with it, in its transaction.
  addAuditListener(emitAudited);
  return { service: new WebhookService(db, box, policy), transport: new WebhookTransport(db, box, policy) };
}
