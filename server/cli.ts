// The admin command line: npm run tessera -- <command> [--json]. Each operator command is one operation of the
// operator API: sent to the running server (with the CLI's stored credential), or, with no server running, run
// in this process on the database through the same code. The same output either way.
import { Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import { createTessera } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { AppError } from './errors.js';
import { createLogger } from './http/logging.js';
import { readCliCredential, setUpCliCredential } from './operators/cli-credential.js';
import { accountCommands, type Act, clientCommands, type Printer, systemCommands } from './operators/cli.js';
import { CommandFailed, type InProcess, openTransport } from './operators/cli-transport.js';
import { clientSettingCommands } from './operators/client-settings-cli.js';
import { resourceCommands } from './operators/resource-cli.js';
import { webhookCommands } from './operators/webhook-cli.js';
import { domainCommands } from './operators/domain-cli.js';
import { connectionCommands } from './operators/connection-cli.js';

const write = (text: string) => process.stdout.write(text);

function fail(error: unknown): void {
  const known =
    error instanceof ConfigError ||
    error instanceof CommandFailed ||
    error instanceof InvalidArgumentError ||
    error instanceof AppError;
  process.stderr.write(`error: ${known ? error.message : (error as Error).message}\n`);
  process.exitCode = 1;
}

const program = new Command('tessera')
  .description('Administer a Tessera identity server. Reads the same environment (.env) as the server.')
  .option('--json', 'print the answer as JSON (for scripts)')
  .showHelpAfterError();

const printer = (): Printer => {
  const json = program.opts<{ json?: boolean }>().json === true;
  return {
    line: (text = '') => {
      if (!json) write(`${text}\n`);
    },
    json: (answer) => {
      if (json) write(typeof answer === 'string' ? answer : `${JSON.stringify(answer, null, 2)}\n`);
    },
  };
};

/** Opens the database (migrated); for the few commands that only make sense on the database itself. */
async function withDatabase(action: (db: Database, config: Config) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    const config = loadConfig();
    db = await openDatabase(config.database);
    await db.migrate();
    await action(db, config);
  } catch (error) {
    fail(error);
  } finally {
    await db?.close();
  }
}

/** The server's operations in this process, wired by createTessera exactly as main.ts wires them. */
const inProcess = (config: Config) => async (): Promise<InProcess> => {
  const db = await openDatabase(config.database).catch((error: Error) => {
    const hint = readCliCredential(config.cliCredentialsFile)
      ? ''
      : ` (no CLI credential at ${config.cliCredentialsFile}: the server writes it at start on the embedded database; otherwise run cli:setup)`;
    throw new CommandFailed(`${error.message}${hint}`);
  });
  try {
    await db.migrate();
    const silent = createLogger({ logLevel: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
    const tessera = await createTessera(config, db, silent);
    return {
      operations: tessera.operations,
      close: async () => {
        await tessera.accounts.settled();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
};

const act: Act =
  (body) =>
  async (...args) => {
    let close = async () => {};
    try {
      const config = loadConfig();
      const transport = await openTransport(config, inProcess(config));
      close = () => transport.close();
      await body(transport, printer(), ...args);
    } catch (error) {
      fail(error);
    } finally {
      await close();
    }
  };

program
  .command('migrate')
  .description('apply pending database migrations (the server also does this at start)')
  .action(async () => {
    const config = loadConfig();
    const transport = await openTransport(config, async () => ({ operations: [], close: async () => {} })).catch(
      () => undefined,
    );
    if (transport?.kind === 'remote') {
      printer().line('database is up to date (the running server applied every migration at its start)');
      return;
    }
    await withDatabase(async (db) => {
      const applied = await db.migrate();
      printer().line(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    });
  });

program
  .command('cli:setup')
  .description(
    'create the operator credential the CLI uses to talk to a running server, stored (0600) in TESSERA_CLI_CREDENTIALS',
  )
  .action(() =>
    withDatabase(async (db, config) => {
      const id = await setUpCliCredential(db, config.cliCredentialsFile);
      printer().line(
        `wrote ${config.cliCredentialsFile} (client ${id}); the CLI now uses the running server's operator API`,
      );
    }),
  );

clientCommands(program, act);
// The only place besides config.ts that reads the environment: a password kept out of the shell history.
accountCommands(program, act, () => process.env.TESSERA_PASSWORD);
systemCommands(program, act);

resourceCommands(program, act);
clientSettingCommands(program, act);
domainCommands(program, act);
connectionCommands(program, act);
webhookCommands(program, act);

await program.parseAsync();
