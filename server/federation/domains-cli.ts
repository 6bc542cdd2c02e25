// The operator's domain commands: attest that a tenant owns a domain (verified without DNS), and ask which
// tenant holds a domain. server/cli.ts adds them to its program.
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { JoinPolicy } from '../db/entities/index.js';
import { createQuota } from '../http/rate-limit.js';
import { DomainService, JOIN_POLICIES } from './domains.js';
import { dnsTxtLookup } from './domains-dns.js';

/** cli.ts's wrapper: opens the (migrated) database, runs the action, closes it, and reports errors. */
type WithDatabase = <A extends unknown[]>(
  action: (db: Database, ...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

const out = (line: string) => process.stdout.write(`${line}\n`);

function serviceFor(db: Database): DomainService {
  const config = loadConfig();
  // The operator's word needs no DNS question; the lookup is there for the service's other uses only.
  return new DomainService(
    db,
    dnsTxtLookup(config.dns),
    createQuota({ keyPrefix: 'domains-verify', points: config.domainVerifyQuotaPerHour, durationSeconds: 3600 }),
  );
}

const policy = (value: string): JoinPolicy => {
  if (!(JOIN_POLICIES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${JOIN_POLICIES.join(', ')}`);
  return value as JoinPolicy;
};

export function domainCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('domains:verify <tenant-id> <domain>')
    .description(
      'attest, as the operator, that the tenant owns the domain: it is verified without a DNS record (refused while another tenant holds it)',
    )
    .option('--join-policy <policy>', `off, suggest, auto or request (default: keep, or off for a new claim)`, policy)
    .action(
      withDatabase(async (db, tenantId: string, domain: string, opts: { joinPolicy?: JoinPolicy }) => {
        const verified = await serviceFor(db).attest(tenantId, domain, opts.joinPolicy);
        out(`${verified.domain} is verified for tenant ${verified.tenant_id} (join policy: ${verified.join_policy})`);
      }),
    );

  program
    .command('domains:owner <domain-or-email>')
    .description('which tenant holds the domain (of an e-mail address) verified, and its join policy')
    .action(
      withDatabase(async (db, domain: string) => {
        const owner = await serviceFor(db).ownerOf(domain);
        out(
          owner
            ? `${owner.domain}: ${owner.tenantId} "${owner.tenantName}" (join policy: ${owner.joinPolicy})`
            : 'no tenant holds this domain verified',
        );
      }),
    );
}
