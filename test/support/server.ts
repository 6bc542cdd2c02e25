// Starts a real Tessera (same wiring as main.ts) on 127.0.0.1 with an ephemeral port, once per database.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe } from 'node:test';
import { createTessera, type Tessera } from '../../server/app.js';
import { type Config, loadConfig } from '../../server/config.js';
import type { Database } from '../../server/db/database.js';
import { createLogger } from '../../server/http/logging.js';
import { openTestDatabase, testDatabases } from './databases.js';

export interface TestServer {
  url: string;
  config: Config;
  db: Database;
  tessera: Tessera;
  /** Every log line the server wrote, for tests that search the logs for secrets. */
  logs: string[];
  restart(): Promise<void>;
}

/** Test defaults: cheap argon2 so suites stay fast, rate limits high unless a test lowers them. */
export const TEST_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
  RATE_LIMIT_LOGIN: '1000',
  RATE_LIMIT_IP: '10000',
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Runs `body` once per test database against a started server; `env` overrides configuration. */
export function describeWithServer(
  name: string,
  body: (server: () => TestServer) => void,
  env: Record<string, string> = {},
): void {
  for (const target of testDatabases()) {
    describe(`${name} [${target.label}]`, () => {
      let state: TestServer | undefined;
      let http: Server | undefined;
      let dispose = async () => {};
      before(async () => {
        const opened = await openTestDatabase(target);
        dispose = opened.dispose;
        http = createServer();
        const port = await listen(http);
        const logs: string[] = [];
        const sink = new Writable({
          write(chunk, _enc, done) {
            logs.push(String(chunk));
            done();
          },
        });
        const config = loadConfig({
          ...TEST_ENV,
          ...env,
          ISSUER: `http://127.0.0.1:${port}`,
          DATABASE_URL: opened.url,
        });
        const logger = createLogger(config, sink);
        const start = async () => {
          const tessera = await createTessera(config, opened.db, logger);
          http!.removeAllListeners('request');
          http!.on('request', tessera.app.callback());
          return tessera;
        };
        state = {
          url: config.issuer,
          config,
          db: opened.db,
          tessera: await start(),
          logs,
          restart: async () => {
            state!.tessera = await start();
          },
        };
      });
      after(async () => {
        http?.closeAllConnections();
        await new Promise((resolve) => http?.close(resolve));
        await dispose();
      });
      body(() => state!);
    });
  }
}
