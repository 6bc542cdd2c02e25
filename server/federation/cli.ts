// The operator's commands for global connections (offered on every sign-in page): add, list, change, remove.
// A tenant's own connections are its admins' business (Management API, tenant admin page).
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { ConnectionService } from './connections.js';
import { ClaimMapping, CreateConnection, UpdateConnection } from './schemas.js';
import { loadSealingKeys, SecretBox } from '../keys/sealing.js';

type WithDatabase = <A extends unknown[]>(
  action: (db: Database, ...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

const out = (line = '') => process.stdout.write(`${line}\n`);
const list = (value: string, previous: string[] = []) => [...previous, value];
const OPERATOR = { kind: 'operator' } as const;

/** The same sealing keys as the server (SECRET_ENCRYPTION_KEYS, else the generated one). */
async function connectionService(db: Database): Promise<ConnectionService> {
  const config = loadConfig();
  const keys = await loadSealingKeys(db, config.secretEncryptionKeys);
  return new ConnectionService(db, new SecretBox(keys, 'connection-secrets'), config.issuer, {
    allowHttp: config.federation.allowHttp,
  });
}

interface Options {
  slug?: string;
  name?: string;
  kind?: string;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string[];
  claim?: string[];
  trustedEmail?: boolean;
  disable?: boolean;
  enable?: boolean;
  samlMetadataUrl?: string;
  samlMetadataFile?: string;
  idpInitiatedUrl?: string;
}

/** saml: the IdP's metadata (by URL, or a file read here) and the landing of IdP-initiated sign-ins. */
function samlOf(o: Options) {
  if (o.samlMetadataUrl === undefined && o.samlMetadataFile === undefined && o.idpInitiatedUrl === undefined)
    return undefined;
  return withoutUndefined({
    metadata_url: o.samlMetadataUrl,
    metadata_xml: o.samlMetadataFile === undefined ? undefined : readFileSync(o.samlMetadataFile, 'utf8'),
    idp_initiated_url: o.idpInitiatedUrl,
  });
}

/** --claim email=mail → { email: 'mail' }. */
function claimsOf(pairs: string[] | undefined) {
  if (!pairs) return undefined;
  const entries = pairs.map((pair) => {
    const [key, value] = pair.split('=', 2);
    if (!key || !value) throw new InvalidArgumentError(`--claim expects name=upstream_claim, got "${pair}"`);
    return [key, value];
  });
  return ClaimMapping.partial().parse(Object.fromEntries(entries));
}

function parsed<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new InvalidArgumentError(
      result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    );
  return result.data;
}

const fieldsOf = (o: Options) => ({
  name: o.name,
  issuer: o.issuer,
  authorization_endpoint: o.authorizationEndpoint,
  token_endpoint: o.tokenEndpoint,
  userinfo_endpoint: o.userinfoEndpoint,
  client_id: o.clientId,
  client_secret: o.clientSecret,
  scopes: o.scope,
  claims: claimsOf(o.claim),
  saml: samlOf(o),
});
const withoutUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function endpointOptions(command: Command): Command {
  return command
    .option('--name <name>', 'shown on the sign-in page ("Sign in with <name>")')
    .option('--issuer <url>', 'oidc: the issuer (its discovery document is read)')
    .option('--authorization-endpoint <url>', 'oauth2: the authorization endpoint')
    .option('--token-endpoint <url>', 'oauth2: the token endpoint')
    .option('--userinfo-endpoint <url>', 'oauth2: the userinfo endpoint')
    .option('--client-id <id>', "Tessera's client id at the provider")
    .option('--client-secret <secret>', 'the client secret (stored encrypted, never printed)')
    .option('--scope <scope>', 'a scope to ask for (repeat; default openid email profile for oidc)', list)
    .option('--claim <name=claim>', 'claim mapping: subject, email, email_verified, name, phone, groups (repeat)', list)
    .option('--saml-metadata-url <url>', "saml: the IdP's metadata URL (read now)")
    .option('--saml-metadata-file <path>', "saml: a file with the IdP's metadata XML")
    .option('--idp-initiated-url <url>', 'saml: where an IdP-initiated sign-in lands (default: the account page)');
}

export function connectionCommands(program: Command, withDatabase: WithDatabase): void {
  endpointOptions(
    program
      .command('connections:add')
      .description(
        'add a global connection to an upstream identity provider; prints the redirect URI to register there',
      )
      .requiredOption('--slug <slug>', 'short name, part of the redirect URI')
      .option('--kind <kind>', 'oidc, oauth2 or saml', 'oidc'),
  )
    .option('--trusted-email', "count the provider's verified e-mails as verified (only for providers you trust)")
    .action(
      withDatabase(async (db, options: Options) => {
        const input = parsed(
          CreateConnection,
          withoutUndefined({ slug: options.slug, kind: options.kind, ...fieldsOf(options) }),
        );
        const created = await (await connectionService(db)).create(OPERATOR, {
          ...input,
          trusted_for_email: options.trustedEmail === true,
        });
        out(`added ${created.slug} (${created.id})`);
        if (created.saml) {
          out(`give the IdP the SP metadata: ${created.saml.sp_metadata_url}`);
          out(`  (entity id ${created.saml.sp_entity_id}, ACS ${created.saml.acs_url}, HTTP-POST)`);
        } else out(`redirect URI to register at the provider: ${created.redirect_uri}`);
      }),
    );

  program
    .command('connections:list')
    .description('list the global connections (never their secrets)')
    .action(
      withDatabase(async (db) => {
        const all = await (await connectionService(db)).list(OPERATOR);
        if (!all.length) out('no global connections');
        for (const c of all)
          out(
            `${c.slug.padEnd(20)} ${c.kind.padEnd(6)} ${c.disabled ? 'disabled' : 'enabled '} ${c.trusted_for_email ? 'trusted-email' : 'untrusted-email'}  ${c.name}  ${c.issuer ?? c.authorization_endpoint ?? c.saml?.idp_entity_id}`,
          );
      }),
    );

  endpointOptions(
    program.command('connections:update <slug>').description('change a global connection, its secret, or its trust'),
  )
    .option('--trusted-email', "count the provider's verified e-mails as verified")
    .option('--no-trusted-email', 'stop counting its e-mails as verified')
    .option('--disable', 'stop offering it; nobody signs in through it')
    .option('--enable', 'offer it again')
    .action(
      withDatabase(async (db, slug: string, options: Options) => {
        const service = await connectionService(db);
        const disabled = options.disable ? true : options.enable ? false : undefined;
        const patch = withoutUndefined({ ...fieldsOf(options), disabled });
        const trusted = options.trustedEmail;
        if (!Object.keys(patch).length && trusted === undefined) throw new InvalidArgumentError('nothing to change');
        const changed = await service.update(OPERATOR, await service.globalId(slug), {
          ...(Object.keys(patch).length ? parsed(UpdateConnection, patch) : {}),
          trusted_for_email: trusted,
        });
        out(
          `updated ${changed.slug}: ${changed.disabled ? 'disabled' : 'enabled'}, ${changed.trusted_for_email ? 'trusted' : 'untrusted'} e-mails`,
        );
      }),
    );

  program
    .command('connections:remove <slug>')
    .description('delete a global connection nobody signs in through (else disable it)')
    .action(
      withDatabase(async (db, slug: string) => {
        const service = await connectionService(db);
        await service.remove(OPERATOR, await service.globalId(slug));
        out(`removed ${slug}`);
      }),
    );
}
