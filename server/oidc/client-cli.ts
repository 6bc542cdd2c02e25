// clients:configure: the settings a registered client may change (server/cli.ts adds the command): its default
// resource, the tenant it acts in with client credentials, how it authenticates (its keys for private_key_jwt),
// and its ID token algorithm.
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { WithDatabase } from '../resources/cli.js';
import { TenantDirectory } from '../tenants/claims.js';
import { CLIENT_AUTH_METHODS, type ClientSettings, configureClient, ID_TOKEN_ALGS } from './clients.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const list = (value: string, previous: string[] = []) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];

function readJwks(path: string): { keys: Record<string, unknown>[] } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { keys: Record<string, unknown>[] };
  } catch {
    throw new InvalidArgumentError(`--jwks ${path}: not a readable JSON file`);
  }
}

interface Options {
  defaultResource?: string;
  /** false with --no-resource. */
  resource?: boolean;
  /** false with --no-tenant. */
  tenant?: string | false;
  tenantRole?: string[];
  authMethod?: string;
  jwks?: string;
  jwksUri?: string;
  idTokenAlg?: string;
}

export function clientSettingCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('clients:configure <id>')
    .description("change a client's settings: default resource, tenant, authentication, ID token algorithm")
    .option('--default-resource <audience>', 'the API resource its tokens are for when it names none')
    .option('--no-resource', 'remove the default resource')
    .option('--tenant <id-or-slug>', 'with client credentials, act as a member of this tenant')
    .option('--tenant-role <role>', 'the roles it holds there (repeat; default tenant-user)', list)
    .option('--no-tenant', 'act in no tenant')
    .option('--auth-method <method>', CLIENT_AUTH_METHODS.join(', '))
    .option('--jwks <file>', 'a JSON file with its public keys (private_key_jwt)')
    .option('--jwks-uri <url>', 'where its public keys are served (private_key_jwt)')
    .option('--id-token-alg <alg>', ID_TOKEN_ALGS.join(' or '))
    .action(
      withDatabase(async (db, id: string, o: Options) => {
        const settings: ClientSettings = {
          authMethod: o.authMethod,
          idTokenAlg: o.idTokenAlg,
          jwks: o.jwks ? readJwks(o.jwks) : undefined,
          jwksUri: o.jwksUri,
          defaultResource: o.resource === false ? null : o.defaultResource,
        };
        if (o.tenant) {
          const tenant = await new TenantDirectory(db).findLive(o.tenant);
          if (!tenant) throw new InvalidArgumentError(`no tenant "${o.tenant}"`);
          settings.tenant = { id: tenant.id, roles: o.tenantRole ?? ['tenant-user'] };
        } else if (o.tenant === false) settings.tenant = null;
        const shown = await configureClient(db, id, settings);
        out(JSON.stringify(shown, null, 2));
      }),
    );
}
