// The services of the invitation feature wired by hand on a test database, for tests that drive the
// rules below HTTP: cheap argon2, a quota nobody reaches, no mail limits.
import { AccountMail } from '../../server/accounts/mail.js';
import { PasswordHasher } from '../../server/accounts/passwords.js';
import { AccountService } from '../../server/accounts/service.js';
import type { Database } from '../../server/db/database.js';
import { createQuota } from '../../server/http/rate-limit.js';
import { InvitationMail } from '../../server/invitations/mail.js';
import { RedemptionService } from '../../server/invitations/redemption.js';
import { type FindClient, InvitationService } from '../../server/invitations/service.js';
import { loadKeys } from '../../server/keys/keys.js';
import { Renderer } from '../../server/render.js';
import { TenantService } from '../../server/tenants/service.js';

export const TEST_ISSUER = 'http://tessera.test';

export async function invitationServices(db: Database, findClient: FindClient = async () => undefined) {
  const keys = await loadKeys(db);
  const renderer = new Renderer(TEST_ISSUER);
  const mail = new InvitationMail(renderer);
  const quota = createQuota({ keyPrefix: 'test', points: 10_000, durationSeconds: 3600 });
  return {
    keys,
    invitations: new InvitationService(db, keys, TEST_ISSUER, mail, findClient, quota),
    redemption: new RedemptionService(db, keys, TEST_ISSUER, mail, findClient),
    accounts: new AccountService(db, new PasswordHasher({ memoryCost: 1024, timeCost: 1 }), new AccountMail(renderer)),
    tenants: new TenantService(db, false),
  };
}
