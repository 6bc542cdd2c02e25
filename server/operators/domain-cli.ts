// The operator's domain commands: attest that a tenant owns a domain (verified without DNS), and ask which
// tenant holds a domain. server/cli.ts adds them; each is an operation of the operator API (domain-operations.ts).
import { type Command, InvalidArgumentError } from 'commander';
import type { JoinPolicy } from '../db/entities/index.js';
import { type Act, type Obj, str } from './cli.js';
import { JOIN_POLICIES } from '../federation/domains.js';

const policy = (value: string): JoinPolicy => {
  if (!(JOIN_POLICIES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${JOIN_POLICIES.join(', ')}`);
  return value as JoinPolicy;
};

export function domainCommands(program: Command, act: Act): void {
  program
    .command('domains:verify <tenant-id> <domain>')
    .description(
      'attest, as the operator, that the tenant owns the domain: it is verified without a DNS record (refused while another tenant holds it)',
    )
    .option('--join-policy <policy>', `off, suggest, auto or request (default: keep, or off for a new claim)`, policy)
    .action(
      act(async (t, print, tenantId: string, domain: string, opts: { joinPolicy?: JoinPolicy }) => {
        const verified = (await t.call('domains.verify', {
          params: { tenantId },
          body: { domain, join_policy: opts.joinPolicy },
        })) as Obj;
        print.json(verified);
        print.line(
          `${str(verified.domain)} is verified for tenant ${str(verified.tenant_id)} (join policy: ${str(verified.join_policy)})`,
        );
      }),
    );

  program
    .command('domains:owner <domain-or-email>')
    .description(
      'which tenant holds the domain (of an e-mail address) verified, its join policy and where its people sign in',
    )
    .action(
      act(async (t, print, domain: string) => {
        const { owner } = (await t.call('domains.owner', { query: { domain } })) as { owner: Obj | null };
        print.json({ owner });
        print.line(
          owner
            ? `${str(owner.domain)}: ${str(owner.tenant_id)} "${str(owner.tenant_name)}" (join policy: ${str(owner.join_policy)}; ${
                owner.sso_connection_id
                  ? `signs in through connection ${str(owner.sso_connection_id)}${owner.password_sign_in ? '' : ', no passwords'}`
                  : 'no SSO routing'
              })`
            : 'no tenant holds this domain verified',
        );
      }),
    );
}
