// The operator's commands for global connections (offered on every sign-in page): add, list, change, remove,
// each an operation of the operator API (connection-operations.ts). A tenant's own connections are its admins'
// business (Management API, tenant admin page).
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { type Act, all, type Obj, str } from './cli.js';

const list = (value: string, previous: string[] = []) => [...previous, value];

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

/** saml: the IdP's metadata (by URL, or a file read here and sent as XML) and where IdP-initiated sign-ins land. */
function samlOf(o: Options) {
  if (o.samlMetadataUrl === undefined && o.samlMetadataFile === undefined && o.idpInitiatedUrl === undefined)
    return undefined;
  return {
    metadata_url: o.samlMetadataUrl,
    metadata_xml: o.samlMetadataFile === undefined ? undefined : readFileSync(o.samlMetadataFile, 'utf8'),
    idp_initiated_url: o.idpInitiatedUrl,
  };
}

/** --claim email=mail → { email: 'mail' }. */
function claimsOf(pairs: string[] | undefined) {
  if (!pairs) return undefined;
  const entries = pairs.map((pair) => {
    const [key, value] = pair.split('=', 2);
    if (!key || !value) throw new InvalidArgumentError(`--claim expects name=upstream_claim, got "${pair}"`);
    return [key, value];
  });
  return Object.fromEntries(entries) as Record<string, string>;
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

export function connectionCommands(program: Command, act: Act): void {
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
      act(async (t, print, options: Options) => {
        const created = (await t.call('connections.create', {
          body: {
            slug: options.slug,
            kind: options.kind,
            ...fieldsOf(options),
            trusted_for_email: options.trustedEmail === true,
          },
        })) as Obj;
        print.json(created);
        print.line(`added ${str(created.slug)} (${str(created.id)})`);
        const saml = created.saml as Obj | null;
        if (saml) {
          print.line(`give the IdP the SP metadata: ${str(saml.sp_metadata_url)}`);
          print.line(`  (entity id ${str(saml.sp_entity_id)}, ACS ${str(saml.acs_url)}, HTTP-POST)`);
        } else print.line(`redirect URI to register at the provider: ${str(created.redirect_uri)}`);
      }),
    );

  program
    .command('connections:list')
    .description('list the global connections (never their secrets)')
    .action(
      act(async (t, print) => {
        const connections = await all(t, 'connections.list');
        print.json(connections);
        if (!connections.length) print.line('no global connections');
        for (const c of connections)
          print.line(
            `${str(c.slug).padEnd(20)} ${str(c.kind).padEnd(6)} ${c.disabled ? 'disabled' : 'enabled '} ${c.trusted_for_email ? 'trusted-email' : 'untrusted-email'}  ${str(c.name)}  ${str(c.issuer ?? c.authorization_endpoint ?? (c.saml as Obj | null)?.idp_entity_id)}`,
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
      act(async (t, print, slug: string, options: Options) => {
        const changed = (await t.call('connections.update', {
          params: { connection: slug },
          body: {
            ...fieldsOf(options),
            disabled: options.disable ? true : options.enable ? false : undefined,
            trusted_for_email: options.trustedEmail,
          },
        })) as Obj;
        print.json(changed);
        print.line(
          `updated ${str(changed.slug)}: ${changed.disabled ? 'disabled' : 'enabled'}, ${changed.trusted_for_email ? 'trusted' : 'untrusted'} e-mails`,
        );
      }),
    );

  program
    .command('connections:remove <slug>')
    .description('delete a global connection nobody signs in through (else disable it)')
    .action(
      act(async (t, print, slug: string) => {
        await t.call('connections.delete', { params: { connection: slug } });
        print.json({ removed: slug });
        print.line(`removed ${slug}`);
      }),
    );
}
