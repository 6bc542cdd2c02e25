// clients:configure: the settings a registered client may change (server/cli.ts adds the command), through the
// operator API's clients.configure (client-settings-operations.ts).
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { Act } from './cli.js';
import { CLIENT_AUTH_METHODS, ID_TOKEN_ALGS } from '../oidc/clients.js';

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];

/** The JWKS file is read here, on the operator's machine; its content is what the server gets. */
function readJwks(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
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

export function clientSettingCommands(program: Command, act: Act): void {
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
      act(async (t, print, id: string, o: Options) => {
        const shown = await t.call('clients.configure', {
          params: { clientId: id },
          body: {
            default_resource: o.resource === false ? null : o.defaultResource,
            tenant: o.tenant === false ? null : o.tenant,
            tenant_roles: o.tenant ? o.tenantRole : undefined,
            auth_method: o.authMethod,
            jwks: o.jwks ? readJwks(o.jwks) : undefined,
            jwks_uri: o.jwksUri,
            id_token_alg: o.idTokenAlg,
          },
        });
        print.json(shown);
        print.line(JSON.stringify(shown, null, 2));
      }),
    );
}
