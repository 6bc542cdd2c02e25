// The admin command line: npm run tessera -- <command>. Each command opens the database, acts, and closes it.
import { Command, InvalidArgumentError } from 'commander';
import { AccountMail } from './accounts/mail.js';
import { PasswordHasher } from './accounts/passwords.js';
import { AccountService } from './accounts/service.js';
import { ConfigError, loadConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { getMessage, listMessages } from './delivery/outbox.js';
import { ClientError, createClient, deleteClient, listClients } from './oidc/clients.js';
import { listKeys, retireKeys, rotateKeys } from './keys/keys.js';
import { Renderer } from './render.js';
import { resourceCommands } from './resources/cli.js';
import { clientSettingCommands } from './oidc/client-cli.js';
import { apiResource } from './oidc/audience.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** Opens the database (migrated), runs the command, closes; errors become a one-line message and exit code 1. */
function withDatabase<A extends unknown[]>(action: (db: Database, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    let db: Database | undefined;
    try {
      const config = loadConfig();
      db = await openDatabase(config.database);
      await db.migrate();
      await action(db, ...args);
    } catch (error) {
      const known =
        error instanceof ConfigError || error instanceof ClientError || error instanceof InvalidArgumentError;
      process.stderr.write(`error: ${known ? error.message : (error as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      await db?.close();
    }
  };
}

const list = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command('tessera')
  .description('Administer a Tessera identity server. Reads the same environment (.env) as the server.')
  .showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (the server also does this at start)')
  .action(
    withDatabase(async (db) => {
      const applied = await db.migrate();
      out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    }),
  );

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
  .action(
    withDatabase(
      async (
        db,
        opts: {
          name: string;
          id?: string;
          redirectUri?: string[];
          postLogoutRedirectUri?: string[];
          grant?: string[];
          public?: boolean;
          firstParty?: boolean;
          initiateLoginUri?: string;
          tenantsManage?: boolean;
        },
      ) => {
        const grants = opts.grant ?? [];
        const unknown = grants.filter(
          (g) => !['authorization_code', 'refresh_token', 'client_credentials'].includes(g),
        );
        if (unknown.length) throw new InvalidArgumentError(`unknown grant type: ${unknown.join(', ')}`);
        const created = await createClient(db, {
          id: opts.id,
          name: opts.name,
          redirectUris: opts.redirectUri ?? [],
          postLogoutRedirectUris: opts.postLogoutRedirectUri,
          grantTypes: grants as never,
          isPublic: opts.public,
          firstParty: opts.firstParty,
          initiateLoginUri: opts.initiateLoginUri,
          tenantsManage: opts.tenantsManage,
        });
        out(`client_id:     ${created.id}`);
        if (created.secret)
          out(`client_secret: ${created.secret}\n(the secret is shown only now: store it in your app's configuration)`);
      },
    ),
  );

program
  .command('clients:list')
  .description('list registered clients (never their secrets)')
  .action(
    withDatabase(async (db) => {
      const clients = await listClients(db);
      if (!clients.length) out('no clients');
      for (const c of clients) {
        const flags = `${c.isPublic ? 'public' : 'confidential'}${c.firstParty ? ' first-party' : ''}${c.tenantsManage ? ' tenants-manage' : ''}`;
        out(`${c.id}  "${c.name}"  ${flags}  grants: ${c.grantTypes.join(',')}`);
        for (const uri of c.redirectUris) out(`    redirect: ${uri}`);
      }
    }),
  );

program
  .command('clients:delete <id>')
  .description('delete a client; its tokens stop working at their next use')
  .action(
    withDatabase(async (db, id: string) => {
      if (!(await deleteClient(db, id))) throw new InvalidArgumentError(`no client "${id}"`);
      out(`deleted ${id}`);
    }),
  );

program
  .command('keys:list')
  .description('list signing keys and their status')
  .action(
    withDatabase(async (db) => {
      for (const k of await listKeys(db))
        out(`${k.kid}  ${k.alg}  ${k.status.padEnd(8)}  since ${k.statusChangedAt.toISOString()}`);
    }),
  );

program
  .command('keys:rotate')
  .description(
    'one rotation phase: introduce a next key, or promote it to current. Restart every instance after each phase.',
  )
  .action(
    withDatabase(async (db) => {
      const result = await rotateKeys(db);
      if (result.step === 'introduced') {
        out(`introduced next keys ${result.kids.join(', ')} (published, not yet signing).`);
        out('Restart every instance so all of them publish the new keys, then run keys:rotate again to promote them.');
      } else {
        out(`promoted ${result.kids.join(', ')} to current; the old current keys stay published as previous.`);
        out(
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
    withDatabase(async (db, opts: { force?: boolean }) => {
      const removed = await retireKeys(db, { force: opts.force });
      out(removed.length ? `retired ${removed.join(', ')}` : 'no previous key is old enough to retire');
    }),
  );

program
  .command('accounts:create')
  .description('create an account that signs in with e-mail and password (e-mail marked verified)')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .option('--password <password>', 'the password (default: read from the TESSERA_PASSWORD variable)')
  .action(
    withDatabase(async (db, opts: { email: string; name: string; password?: string }) => {
      const config = loadConfig();
      const password = opts.password ?? process.env.TESSERA_PASSWORD;
      if (!password || password.length < 8)
        throw new InvalidArgumentError(
          'a password of at least 8 characters is needed (--password or TESSERA_PASSWORD)',
        );
      const accounts = new AccountService(
        db,
        new PasswordHasher(config.argon2),
        new AccountMail(new Renderer(config.issuer)),
      );
      const account = await accounts.createAccount({ email: opts.email, name: opts.name, password, verified: true });
      out(`created account ${account.id} (${account.email})`);
    }),
  );

program
  .command('outbox:list')
  .description('list queued and sent messages, newest first')
  .option('--to <recipient>', 'only messages to this recipient')
  .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
  .action(
    withDatabase(async (db, opts: { to?: string; limit: number }) => {
      const messages = await listMessages(db, { limit: opts.limit, recipient: opts.to });
      if (!messages.length) out('the outbox is empty');
      for (const m of messages)
        out(
          `${m.id}  ${m.createdAt.toISOString()}  ${m.status.padEnd(6)}  ${m.channel}  ${m.recipient}  "${m.subject}"`,
        );
    }),
  );

program
  .command('outbox:show <id>')
  .description('print one message, with its links (they hold single-use codes: keep them private)')
  .action(
    withDatabase(async (db, id: string) => {
      const message = await getMessage(db, id);
      if (!message) throw new InvalidArgumentError(`no message "${id}"`);
      out(`To: ${message.recipient}\nSubject: ${message.subject}\nStatus: ${message.status}\n\n${message.bodyText}`);
    }),
  );

resourceCommands(program, withDatabase, (issuer) => [apiResource(issuer)]);
clientSettingCommands(program, withDatabase);

await program.parseAsync();
