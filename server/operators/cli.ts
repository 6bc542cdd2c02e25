// The operator commands of the CLI: each turns its arguments into one operation's input, has the transport
// carry it out (the running server's operator API, or in-process), and prints the answer, or its JSON.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { OperationInput, Transport } from './cli-transport.js';

/** Runs a command with a transport open (chosen once per command), printing through `out`. */
export type Act = <A extends unknown[]>(
  body: (t: Transport, print: Printer, ...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

export interface Printer {
  /** Prints a human line, unless --json asked for the answer itself. */
  line(text?: string): void;
  /** Under --json, prints the answer as JSON (or raw text); otherwise nothing. */
  json(answer: unknown): void;
}

const list = (value: string, previous: string[] = []) => [...previous, value];
const int = (value: string) => {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export type Obj = Record<string, unknown>;
export const str = (v: unknown) => String(v ?? '');

/** Every page of a listing, followed through its cursors (the API answers at most 100 at a time). */
export async function all(t: Transport, name: string, query: Record<string, string | undefined> = {}): Promise<Obj[]> {
  const items: Obj[] = [];
  let cursor: string | undefined;
  do {
    const page = (await t.call(name, { query: { ...query, limit: '100', cursor } })) as {
      items: Obj[];
      next_cursor: string | null;
    };
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

function clientLines(c: Obj, print: Printer): void {
  const flags = `${c.public ? 'public' : 'confidential'}${c.first_party ? ' first-party' : ''}${c.tenants_manage ? ' tenants-manage' : ''}${c.operator ? ' operator' : ''}`;
  print.line(`${str(c.client_id)}  "${str(c.name)}"  ${flags}  grants: ${(c.grant_types as string[]).join(',')}`);
  for (const uri of c.redirect_uris as string[]) print.line(`    redirect: ${uri}`);
}

const accountLine = (a: Obj) =>
  `${str(a.id)}  ${str(a.email ?? '-')}  "${str(a.name ?? '')}"${a.disabled_at ? `  disabled since ${str(a.disabled_at)}` : ''}`;

export function clientCommands(program: Command, act: Act): void {
  program
    .command('clients:create')
    .description('register an OIDC client (relying party); prints its id and secret once')
    .requiredOption('--name <name>', 'display name shown on the consent page')
    .option('--id <id>', 'client id (default: random)')
    .option('--redirect-uri <uri>', 'allowed redirect URI (repeat for several)', list)
    .option('--post-logout-redirect-uri <uri>', 'allowed post-logout redirect URI (repeat for several)', list)
    .option(
      '--grant <type>',
      'authorization_code, refresh_token or client_credentials (repeat; default code + refresh)',
      list,
    )
    .option('--public', 'a public client (SPA, native app): no secret, PKCE only')
    .option('--first-party', 'trusted first-party app: skip the consent page')
    .option('--initiate-login-uri <uri>', "the app's login-initiation URI (used for invitation redirects)")
    .option(
      '--tenants-manage',
      'may manage every tenant through the Management API (client credentials, scope tenants:manage)',
    )
    .option('--operator', 'may call the operator API (client credentials, scope operator)')
    .option('--require-mfa', 'every sign-in to this app needs a second factor')
    .action(
      act(async (t, print, opts: Obj) => {
        const grants = (opts.grant as string[] | undefined) ?? [];
        const unknown = grants.filter(
          (g) => !['authorization_code', 'refresh_token', 'client_credentials'].includes(g),
        );
        if (unknown.length) throw new InvalidArgumentError(`unknown grant type: ${unknown.join(', ')}`);
        const created = (await t.call('clients.create', {
          body: {
            name: opts.name,
            client_id: opts.id,
            redirect_uris: opts.redirectUri ?? [],
            post_logout_redirect_uris: opts.postLogoutRedirectUri,
            grant_types: grants.length ? grants : undefined,
            public: opts.public,
            first_party: opts.firstParty,
            initiate_login_uri: opts.initiateLoginUri,
            tenants_manage: opts.tenantsManage,
            operator: opts.operator,
            require_mfa: opts.requireMfa,
          },
        })) as Obj;
        print.json(created);
        print.line(`client_id:     ${str(created.client_id)}`);
        if (created.client_secret)
          print.line(
            `client_secret: ${str(created.client_secret)}\n(the secret is shown only now: store it in your app's configuration)`,
          );
      }),
    );

  program
    .command('clients:list')
    .description('list registered clients (never their secrets)')
    .action(
      act(async (t, print) => {
        const clients = await all(t, 'clients.list');
        print.json(clients);
        if (!clients.length) print.line('no clients');
        for (const c of clients) clientLines(c, print);
      }),
    );

  program
    .command('clients:show <id>')
    .description('show one client (never its secret)')
    .action(
      act(async (t, print, id: string) => {
        const c = (await t.call('clients.get', { params: { clientId: id } })) as Obj;
        print.json(c);
        clientLines(c, print);
      }),
    );

  program
    .command('clients:update <id>')
    .description("change a client's redirect URIs and settings (given lists replace the old ones)")
    .option('--name <name>')
    .option('--redirect-uri <uri>', 'allowed redirect URI (repeat for several)', list)
    .option('--post-logout-redirect-uri <uri>', 'allowed post-logout redirect URI (repeat)', list)
    .option('--first-party <yes|no>')
    .option('--tenants-manage <yes|no>')
    .option('--operator <yes|no>')
    .action(
      act(async (t, print, id: string, opts: Obj) => {
        const yesNo = (v: unknown) => (v === undefined ? undefined : v === 'yes' || v === 'true');
        const c = (await t.call('clients.update', {
          params: { clientId: id },
          body: {
            name: opts.name,
            redirect_uris: opts.redirectUri,
            post_logout_redirect_uris: opts.postLogoutRedirectUri,
            first_party: yesNo(opts.firstParty),
            tenants_manage: yesNo(opts.tenantsManage),
            operator: yesNo(opts.operator),
          },
        })) as Obj;
        print.json(c);
        clientLines(c, print);
      }),
    );

  program
    .command('clients:rotate-secret <id>')
    .description('give a confidential client a new secret, printed once; the old one stops working')
    .action(
      act(async (t, print, id: string) => {
        const s = (await t.call('clients.rotate-secret', { params: { clientId: id } })) as Obj;
        print.json(s);
        print.line(
          `client_secret: ${str(s.client_secret)}\n(the secret is shown only now: store it in your app's configuration)`,
        );
      }),
    );

  program
    .command('clients:delete <id>')
    .description('delete a client; its tokens stop working at their next use')
    .action(
      act(async (t, print, id: string) => {
        await t.call('clients.delete', { params: { clientId: id } });
        print.json({ deleted: id });
        print.line(`deleted ${id}`);
      }),
    );
}

export function accountCommands(program: Command, act: Act, passwordFromEnvironment: () => string | undefined): void {
  program
    .command('accounts:create')
    .description('create an account that signs in with e-mail and password (e-mail marked verified)')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .option('--password <password>', 'the password (default: read from the TESSERA_PASSWORD variable)')
    .action(
      act(async (t, print, opts: { email: string; name: string; password?: string }) => {
        const password = opts.password ?? passwordFromEnvironment();
        if (!password || password.length < 8)
          throw new InvalidArgumentError(
            'a password of at least 8 characters is needed (--password or TESSERA_PASSWORD)',
          );
        const a = (await t.call('accounts.create', { body: { email: opts.email, name: opts.name, password } })) as Obj;
        print.json(a);
        print.line(`created account ${str(a.id)} (${str(a.email)})`);
      }),
    );

  program
    .command('accounts:list')
    .description('list accounts, or those whose name or e-mail contains --search')
    .option('--search <text>')
    .action(
      act(async (t, print, opts: { search?: string }) => {
        const accounts = await all(t, 'accounts.list', { search: opts.search });
        print.json(accounts);
        if (!accounts.length) print.line('no accounts');
        for (const a of accounts) print.line(accountLine(a));
      }),
    );

  const onAccount = (name: string, op: string, description: string, done: (id: string, a: Obj | undefined) => string) =>
    program
      .command(`${name} <accountId>`)
      .description(description)
      .action(
        act(async (t, print, id: string) => {
          const answer = (await t.call(op, { params: { accountId: id } })) as Obj | undefined;
          print.json(answer ?? { done: op, account_id: id });
          print.line(done(id, answer));
        }),
      );
  onAccount('accounts:show', 'accounts.get', 'show one account', (_id, a) => accountLine(a!));
  onAccount(
    'accounts:disable',
    'accounts.disable',
    'disable an account: it cannot sign in and its sessions end',
    (id) => `disabled ${id}`,
  );
  onAccount('accounts:enable', 'accounts.enable', 'enable a disabled account', (id) => `enabled ${id}`);
  onAccount(
    'accounts:end-sessions',
    'accounts.end-sessions',
    'end every session of an account',
    (id) => `ended the sessions of ${id}`,
  );
  onAccount(
    'accounts:send-reset',
    'accounts.send-reset',
    'mail the account a password reset link',
    (id) => `queued a password reset for ${id}`,
  );
  onAccount(
    'accounts:delete',
    'accounts.delete',
    'delete an account, its credentials and memberships',
    (id) => `deleted ${id}`,
  );

  program
    .command('operators:list')
    .description('list operators')
    .action(
      act(async (t, print) => {
        const operators = await all(t, 'operators.list');
        print.json(operators);
        if (!operators.length) print.line('no operators');
        for (const o of operators)
          print.line(`${str(o.account_id)}  "${str(o.name ?? '')}"  granted by ${str(o.granted_by ?? '-')}`);
      }),
    );

  program
    .command('operators:add')
    .description('make an account an operator (works before there is any operator: the first admin without a browser)')
    .option('--email <email>', 'the e-mail address the account signs in with')
    .option('--account <id>', 'the account id')
    .action(
      act(async (t, print, opts: { email?: string; account?: string }) => {
        const o = (await t.call('operators.add', { body: { email: opts.email, account_id: opts.account } })) as Obj;
        print.json(o);
        print.line(`${str(o.account_id)} is an operator`);
      }),
    );

  program
    .command('operators:remove <accountId>')
    .description('take the operator role from an account (never from the last operator)')
    .action(
      act(async (t, print, id: string) => {
        await t.call('operators.remove', { params: { accountId: id } });
        print.json({ removed: id });
        print.line(`${id} is no longer an operator`);
      }),
    );

  program
    .command('operators:setup-link')
    .description('print a new one-time link that makes the first operator (while there is none)')
    .action(
      act(async (t, print) => {
        const link = (await t.call('operators.setup-link')) as Obj;
        print.json(link);
        print.line(`${str(link.url)}\n(works once, until ${str(link.expires_at)})`);
      }),
    );
}

export function systemCommands(program: Command, act: Act): void {
  program
    .command('tenants:list')
    .description('list every tenant')
    .action(
      act(async (t, print) => {
        const tenants = await all(t, 'tenants.list');
        print.json(tenants);
        if (!tenants.length) print.line('no tenants');
        for (const x of tenants) print.line(`${str(x.id)}  ${str(x.slug)}  "${str(x.name)}"`);
      }),
    );

  program
    .command('tenants:create')
    .description('create a tenant, with a first admin by account id or by an invitation mailed to them')
    .requiredOption('--name <name>')
    .option('--slug <slug>')
    .option('--admin-account <id>', 'the first admin: an existing account')
    .option('--admin-email <email>', 'the first admin: mail an invitation to this address')
    .action(
      act(async (t, print, opts: { name: string; slug?: string; adminAccount?: string; adminEmail?: string }) => {
        if (opts.adminAccount && opts.adminEmail)
          throw new InvalidArgumentError('give --admin-account or --admin-email, not both');
        const firstAdmin = opts.adminAccount
          ? { account_id: opts.adminAccount }
          : opts.adminEmail
            ? { email: opts.adminEmail }
            : undefined;
        const x = (await t.call('tenants.create', {
          body: { name: opts.name, slug: opts.slug, first_admin: firstAdmin },
        })) as Obj;
        print.json(x);
        print.line(`created tenant ${str(x.id)} (${str(x.slug)})`);
        if (x.first_admin_invitation_id)
          print.line(`invited ${opts.adminEmail} as its admin (invitation ${str(x.first_admin_invitation_id)})`);
      }),
    );

  program
    .command('keys:list')
    .description('list signing keys and their status')
    .action(
      act(async (t, print) => {
        const { items } = (await t.call('keys.list')) as { items: Obj[] };
        print.json(items);
        for (const k of items)
          print.line(`${str(k.kid)}  ${str(k.alg)}  ${str(k.status).padEnd(8)}  since ${str(k.status_changed_at)}`);
      }),
    );

  program
    .command('keys:rotate')
    .description(
      'one rotation phase: introduce a next key, or promote it to current. Restart every instance after each phase.',
    )
    .action(
      act(async (t, print) => {
        const result = (await t.call('keys.rotate')) as { step: string; kids: string[] };
        print.json(result);
        if (result.step === 'introduced') {
          print.line(`introduced next keys ${result.kids.join(', ')} (published, not yet signing).`);
          print.line(
            'Restart every instance so all of them publish the new keys, then run keys:rotate again to promote them.',
          );
        } else {
          print.line(`promoted ${result.kids.join(', ')} to current; the old current keys stay published as previous.`);
          print.line(
            'Restart every instance so they sign with the new keys. Run keys:retire after 31 days to drop the previous keys.',
          );
        }
      }),
    );

  program
    .command('keys:retire')
    .description('remove previous keys older than the longest token lifetime (31 days)')
    .option('--force', 'remove every previous key now (tokens they signed stop verifying)')
    .action(
      act(async (t, print, opts: { force?: boolean }) => {
        const { retired } = (await t.call('keys.retire', { query: { force: opts.force ? 'true' : 'false' } })) as {
          retired: string[];
        };
        print.json(retired);
        print.line(retired.length ? `retired ${retired.join(', ')}` : 'no previous key is old enough to retire');
      }),
    );

  const auditFilter = (c: Command) =>
    c
      .option('--type <type>', 'e.g. client.created')
      .option('--actor <actor>', 'an account id, client:<id> or cli')
      .option('--tenant <id>')
      .option('--since <time>', 'ISO 8601')
      .option('--until <time>', 'ISO 8601');
  const filterQuery = (o: Obj) => ({
    type: o.type as string | undefined,
    actor: o.actor as string | undefined,
    tenant_id: o.tenant as string | undefined,
    since: o.since as string | undefined,
    until: o.until as string | undefined,
  });
  auditFilter(program.command('audit:list').description('audit events, newest first'))
    .option('--limit <n>', 'how many', int, 20)
    .action(
      act(async (t, print, opts: Obj) => {
        const page = (await t.call('audit.list', { query: { ...filterQuery(opts), limit: String(opts.limit) } })) as {
          items: Obj[];
        };
        print.json(page.items);
        if (!page.items.length) print.line('no audit events');
        for (const e of page.items)
          print.line(`${str(e.at)}  ${str(e.type).padEnd(24)}  ${str(e.actor ?? '-')}  ${str(e.subject ?? '')}`);
      }),
    );
  auditFilter(program.command('audit:export').description('every matching audit event as JSON lines')).action(
    act(async (t, print, opts: Obj) => {
      const text = str(await t.call('audit.export', { query: filterQuery(opts) }));
      print.json(text);
      print.line(text.replace(/\n$/, ''));
    }),
  );

  program
    .command('outbox:list')
    .description('list queued and sent messages, newest first')
    .option('--to <recipient>', 'only messages to this recipient')
    .option('--limit <n>', 'how many', int, 20)
    .action(
      act(async (t, print, opts: { to?: string; limit: number }) => {
        const page = (await t.call('outbox.list', {
          query: { to: opts.to, limit: String(Math.min(opts.limit, 100)) },
        })) as {
          items: Obj[];
        };
        print.json(page.items);
        if (!page.items.length) print.line('the outbox is empty');
        for (const m of page.items)
          print.line(
            `${str(m.id)}  ${str(m.created_at)}  ${str(m.status).padEnd(6)}  ${str(m.channel)}  ${str(m.recipient)}  "${str(m.subject)}"`,
          );
      }),
    );

  program
    .command('outbox:show <id>')
    .description('print one message, with its links (they hold single-use codes: keep them private)')
    .action(
      act(async (t, print, id: string) => {
        const m = (await t.call('outbox.get', { params: { messageId: id } })) as Obj;
        print.json(m);
        print.line(
          `To: ${str(m.recipient)}\nSubject: ${str(m.subject)}\nStatus: ${str(m.status)}\n\n${str(m.body_text)}`,
        );
      }),
    );

  program
    .command('outbox:resend <id>')
    .description('send a sent or failed message again')
    .action(
      act(async (t, print, id: string) => {
        const m = (await t.call('outbox.resend', { params: { messageId: id } })) as Obj;
        print.json(m);
        print.line(`queued ${str(m.id)} again`);
      }),
    );
}

export type { OperationInput };
