// Seeds the browser-test database with the people and tenants of e2e/seed-data.ts, through the real
// services, and writes their ids to <E2E_DIR>/seed.json. e2e/start-server.ts runs it before it
// starts the server (sql.js: one process at a time may open the file), with the server's environment:
//   E2E_DIR=/tmp/x DATABASE_URL=sqlite:/tmp/x/tessera.sqlite node --import tsx e2e/seed.ts
// Members normally arrive by invitation; here they are inserted directly, as the tenants feature does.
import { writeFileSync } from 'node:fs';
import { AccountMail } from '../server/accounts/mail.js';
import { PasswordHasher } from '../server/accounts/passwords.js';
import { AccountService } from '../server/accounts/service.js';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/database.js';
import { Renderer } from '../server/render.js';
import { insertMembership, TenantService } from '../server/tenants/service.js';
import { type Seed, SEED_MEMBERSHIPS, SEED_PASSWORD, SEED_PEOPLE, SEED_TENANTS, seedFile } from './seed-data.js';

const config = loadConfig(process.env);
const db = await openDatabase(config.database);
try {
  await db.migrate();
  const accounts = new AccountService(db, new PasswordHasher(config.argon2), new AccountMail(new Renderer(config.issuer)));
  const tenants = new TenantService(db, false);

  const people = {} as Seed['people'];
  for (const [key, person] of Object.entries(SEED_PEOPLE) as [keyof typeof SEED_PEOPLE, (typeof SEED_PEOPLE)[keyof typeof SEED_PEOPLE]][]) {
    const account = await accounts.createAccount({ ...person, password: SEED_PASSWORD, verified: true });
    people[key] = { id: account.id, name: person.name, email: person.email, password: SEED_PASSWORD };
  }

  const seededTenants = {} as Seed['tenants'];
  for (const [key, tenant] of Object.entries(SEED_TENANTS) as [keyof typeof SEED_TENANTS, { name: string }][]) {
    const created = await tenants.create({ kind: 'client', clientId: 'e2e', manage: true }, { name: tenant.name });
    seededTenants[key] = { id: created.id, slug: created.slug, name: created.name };
  }

  await db.transaction(async (m) => {
    for (const { person, tenant, roles } of SEED_MEMBERSHIPS) {
      await insertMembership(m, seededTenants[tenant].id, people[person].id, roles, null);
    }
  });

  const seed: Seed = { people, tenants: seededTenants };
  writeFileSync(seedFile(), `${JSON.stringify(seed, null, 2)}\n`);
} finally {
  await db.close();
}
