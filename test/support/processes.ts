// What tests that run Tessera as processes (main.ts, cli.ts) share: a free port, and the environment of a
// server on an SQLite file in a directory of its own.
import { createServer } from 'node:net';
import { join } from 'node:path';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** Only what the process needs: a database in `dir`, cheap argon2, info logs. */
export const processEnv = (dir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
  LOG_LEVEL: 'info',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
});
