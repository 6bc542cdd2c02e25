// Entry point: read config, open the database, run migrations, listen; stop gracefully.
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { createTransports } from './delivery/transports.js';
import { DeliveryWorker } from './delivery/worker.js';
import { createTessera } from './app.js';
import { createLogger } from './http/logging.js';
import { deleteExpiredPayloads } from './oidc/adapter.js';
import { ensureCliCredential } from './operators/cli-credential.js';
import { firstOperatorAtStart } from './operators/first-start.js';
import { recordExpiredInvitations } from './invitations/expiry.js';
import { recordEndedAccess } from './tenants/access-ended.js';
import { deleteExpiredSessionSignIns } from './oidc/session-sign-ins.js';
import { unsupportedRuntimeWarning } from './runtime.js';

const started = performance.now();

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Tessera cannot start.\n${error.message}\nSee .env.example and docs/configuration.md.`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger(config);
const runtimeWarning = unsupportedRuntimeWarning();
if (runtimeWarning) logger.warn(runtimeWarning);
const db = await openDatabase(config.database).catch((error: Error) => {
  logger.fatal(`cannot open the database: ${error.message}`);
  process.exit(1);
});
const applied = await db.migrate();
if (applied.length) logger.info({ migrations: applied }, 'database migrated');

const tessera = await createTessera(config, db, logger);
// On the embedded database the CLI cannot open the file while the server runs: it calls the operator API
// with this credential instead (see docs/operations.md).
if (config.database.kind === 'sqlite' && (await ensureCliCredential(db, config.cliCredentialsFile)) === 'created')
  logger.info({ file: config.cliCredentialsFile }, 'wrote the CLI operator credential');
await firstOperatorAtStart(config, tessera.operators, tessera.accounts, logger, (text) => process.stdout.write(text));
const transports = createTransports(config);
const worker = new DeliveryWorker(db, { ...transports, webhook: tessera.webhooks.transport }, logger);
worker.start();
for (const channel of ['email', 'sms'] as const) {
  if (transports[channel]) continue;
  const cli = '`npm run tessera -- outbox:list`';
  const where = config.production ? cli : `/dev/mail or ${cli}`;
  logger.info(
    `no ${channel === 'email' ? 'SMTP_URL' : 'SMS_WEBHOOK_URL'}: ${channel} messages stay in the outbox; read them with ${where}`,
  );
}

// Expired rows are ignored when read; deleting them keeps the tables small.
const cleanup = setInterval(
  () => {
    Promise.all([
      deleteExpiredPayloads(db),
      deleteExpiredSessionSignIns(db),
      tessera.accounts.deleteExpiredCodes(),
      tessera.oneTimeCodes.deleteExpired(),
      tessera.directory.deleteExpired(),
      tessera.webhooks.service.deleteEnded(),
    ]).catch((error: Error) => logger.warn({ err: { message: error.message } }, 'expired-row cleanup failed'));
  },
  10 * 60 * 1000,
);
cleanup.unref();

// An invitation expires by the clock: this records each expiry once (audit and webhooks), soon after it happens.
const expirySweep = setInterval(() => {
  recordExpiredInvitations(db).catch((error: Error) =>
    logger.warn({ err: { message: error.message } }, 'invitation expiry sweep failed'),
  );
  // Access that ends (roles, memberships) is announced the same way: once, soon after it ends.
  recordEndedAccess(db).catch((error: Error) =>
    logger.warn({ err: { message: error.message } }, 'access end sweep failed'),
  );
}, 60 * 1000);
expirySweep.unref();

const server = createServer(tessera.app.callback());
server.listen(config.port, config.host, () => {
  const ms = Math.round(performance.now() - started);
  logger.info(
    { issuer: config.issuer, port: config.port, database: config.database.kind, startup_ms: ms },
    `Tessera is ready at ${config.issuer}${config.demo ? ` (demo: ${config.issuer}/demo)` : ''}`,
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  const force = setTimeout(() => {
    logger.warn('requests still open after the shutdown timeout; closing them');
    server.closeAllConnections();
  }, config.shutdownTimeoutMs);
  force.unref();
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearInterval(cleanup);
  clearInterval(expirySweep);
  await tessera.accounts.settled();
  await worker.stop();
  await db.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
