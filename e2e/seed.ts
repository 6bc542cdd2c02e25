// Seeds the browser-test database with the people and tenants of e2e/seed-data.ts, through the real
// services, and writes their ids to <E2E_DIR>/seed.json. e2e/start-server.ts runs it before it
// starts the server (sql.js: one process at a time may open the file), with the server's environment:
//   E2E_DIR=/tmp/x DATABASE_URL=sqlite:/tmp/x/tessera.sqlite node --import tsx e2e/seed.ts
// Members normally arrive by invitation; here they are inserted directly, as the tenants feature does.
// The invitations of SEED_INVITATIONS are issued by their tenant's admin through InvitationService.
import { writeFileSync } from 'node:fs';
import { AccountMail } from '../server/accounts/mail.js';
import { PasswordHasher } from '../server/accounts/passwords.js';
import { AccountService } from '../server/accounts/service.js';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/database.js';
import { DomainService } from '../server/federation/domains.js';
import { dnsTxtLookup } from '../server/federation/domains-dns.js';
import type { Quota } from '../server/http/rate-limit.js';
import { InvitationMail } from '../server/invitations/mail.js';
import { InvitationService } from '../server/invitations/service.js';
import { ConnectionService } from '../server/federation/connections.js';
import { loadSealingKeys, SecretBox } from '../server/keys/sealing.js';
import { clientInfo } from '../server/oidc/clients.js';
import { loadKeys } from '../server/keys/keys.js';
import { OperatorService } from '../server/operators/service.js';
import { Renderer } from '../server/render.js';
import { ResourceService } from '../server/resources/service.js';
import type { Caller } from '../server/tenants/access.js';
import { insertMembership, TenantService } from '../server/tenants/service.js';
import {
  type Seed,
  SEED_DOMAINS,
  SEED_INVITATIONS,
  SEED_MEMBERSHIPS,
  SEED_TENANT_CONNECTION,
  SEED_PASSWORD,
  SEED_PEOPLE,
  SEED_TENANTS,
  seedFile,
  type SeedInvitationKey,
} from './seed-data.js';

const config = loadConfig(process.env);
const db = await openDatabase(config.database);
try {
  await db.migrate();
  const accounts = new AccountService(
    db,
    new PasswordHasher(config.argon2),
    new AccountMail(new Renderer(config.issuer)),
  );
  const tenants = new TenantService(db, false);

  const people = {} as Seed['people'];
  for (const [key, person] of Object.entries(SEED_PEOPLE) as [
    keyof typeof SEED_PEOPLE,
    (typeof SEED_PEOPLE)[keyof typeof SEED_PEOPLE],
  ][]) {
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

  // Issued as Ivy Inviter, the admin of the invitation tenants, so the pages say who invited. The server's
  // per-tenant quota on issuing is no concern of the seed: it gets a limiter that never says no.
  const noQuota: Quota = { consume: async () => {} };
  const invitations = new InvitationService(
    db,
    await loadKeys(db),
    config.issuer,
    new InvitationMail(new Renderer(config.issuer)),
    (id) => clientInfo(db, id),
    noQuota,
  );
  const ivy: Caller = { kind: 'user', accountId: people.inviter.id, scopes: new Set(['tenants:admin']) };
  const seededInvitations = {} as Seed['invitations'];
  for (const [key, spec] of Object.entries(SEED_INVITATIONS) as [
    SeedInvitationKey,
    (typeof SEED_INVITATIONS)[SeedInvitationKey],
  ][]) {
    const tenantId = seededTenants[spec.tenant].id;
    const issued = await invitations.create(ivy, tenantId, {
      roles: [...spec.roles],
      deliver: 'phone' in spec ? 'sms' : 'none',
      ...('maxUses' in spec ? { maxUses: spec.maxUses } : {}),
      ...('email' in spec ? { email: people[spec.email].email } : {}),
      ...('phone' in spec ? { phone: spec.phone } : {}),
      ...('profile' in spec ? { profile: spec.profile } : {}),
      ...('accessExpiresIn' in spec ? { accessExpiresIn: spec.accessExpiresIn } : {}),
    });
    if ('revoke' in spec && spec.revoke) await invitations.revoke(ivy, tenantId, issued.id);
    seededInvitations[key] = { id: issued.id, url: issued.url ?? '', token: issued.token ?? '' };
  }

  const connections = new ConnectionService(
    db,
    new SecretBox(await loadSealingKeys(db, config.secretEncryptionKeys), 'connection-secrets'),
    config.issuer,
  );
  // The global connection to e2e/start-server.ts's upstream OpenID provider, trusted for its e-mails.
  if (process.env.E2E_UPSTREAM_URL) {
    await connections.create(
      { kind: 'operator' },
      {
        slug: 'corp-id',
        kind: 'oidc',
        name: 'Corp ID',
        issuer: process.env.E2E_UPSTREAM_URL,
        client_id: process.env.E2E_UPSTREAM_CLIENT_ID ?? '',
        client_secret: process.env.E2E_UPSTREAM_CLIENT_SECRET,
        trusted_for_email: true,
      },
    );
    // A tenant's own connection, to the same upstream, and a role its membership rules can give.
    const { tenant, slug, name, role } = SEED_TENANT_CONNECTION;
    const owner = { kind: 'client', clientId: 'e2e', manage: true } as const;
    await tenants.createRole(owner, seededTenants[tenant].id, { name: role });
    await connections.create(
      { kind: 'tenant', caller: owner, tenantId: seededTenants[tenant].id },
      {
        slug,
        kind: 'oidc',
        name,
        issuer: process.env.E2E_UPSTREAM_URL,
        client_id: process.env.E2E_UPSTREAM_CLIENT_ID ?? '',
        client_secret: process.env.E2E_UPSTREAM_CLIENT_SECRET,
      },
    );
  }

  // The global SAML connection to e2e/start-server.ts's test IdP, from its metadata.
  if (process.env.E2E_SAML_METADATA_XML) {
    await connections.create(
      { kind: 'operator' },
      {
        slug: 'corp-saml',
        kind: 'saml',
        name: 'Corp SAML',
        saml: { metadata_xml: process.env.E2E_SAML_METADATA_XML },
        claims: { name: 'displayName' },
        trusted_for_email: true,
      },
    );
  }

  // Attested by the operator, as `tessera domains:verify` does: no DNS question is asked.
  const domains = new DomainService(db, dnsTxtLookup(config.dns), noQuota);
  for (const { tenant, domain, joinPolicy } of SEED_DOMAINS)
    await domains.attest(seededTenants[tenant].id, domain, joinPolicy);

  // An app's API, so the tenant admin page shows the permissions section.
  await new ResourceService(db, []).create({
    audience: 'https://invoices.example/api',
    name: 'Invoices',
    permissions: ['invoices:read', 'invoices:write'],
  });

  // A setup link for the first operator (e2e/operators.spec.ts), or, for the console's own server, an operator.
  const operators = new OperatorService(db, config.issuer);
  let operatorSetupLink = '';
  if (process.env.E2E_SEED_OPERATOR === 'true') await operators.grant('seed', { accountId: people.consoleOperator.id });
  else operatorSetupLink = (await operators.issueSetupLink()).url;
  const seed: Seed = { people, tenants: seededTenants, invitations: seededInvitations, operatorSetupLink };
  writeFileSync(seedFile(), `${JSON.stringify(seed, null, 2)}\n`);
} finally {
  await db.close();
}
