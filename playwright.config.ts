// Browser tests: Debian's Chromium (never a downloaded browser) against a Tessera started on a
// fresh temporary SQLite database for every run. See docs STACK.md, "Tests".
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH as CHROMIUM, chromiumMissing } from './e2e/chromium.js';

const PORT = Number(process.env.E2E_PORT ?? 3901);
// localhost, as the server's ISSUER (e2e/start-server.ts): passkeys need a domain, not an IP address.
const BASE_URL = `http://localhost:${PORT}`;
const CI = process.env.CI === 'true' || process.env.CI === '1';
// The run's temporary folder (database, e2e/seed.ts's seed.json). Chosen here, once: the test workers
// load this file again but inherit the runner's environment, so they all read the same seed.json.
// e2e/start-server.ts creates the folder and removes it when the server stops.
process.env.E2E_DIR ??= join(tmpdir(), `tessera-e2e-${randomUUID()}`);

// No Chromium: fail loudly on CI; elsewhere say so loudly and let every test skip itself (e2e/fixtures.ts).
if (chromiumMissing) {
  const banner = `\n${'!'.repeat(72)}\n  ${CHROMIUM} not found: install it with \`apt-get install -y chromium\`.\n`;
  if (CI) throw new Error(`${banner}  CI=true: failing the browser tests instead of skipping them.\n${'!'.repeat(72)}`);
  console.warn(`${banner}  SKIPPING every browser test (set CI=true to make this an error).\n${'!'.repeat(72)}\n`);
}

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: CI,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL: BASE_URL,
    locale: 'en-GB',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: chromiumMissing
    ? undefined
    : {
        command: 'node --import tsx e2e/start-server.ts',
        url: `${BASE_URL}/readyz`,
        env: { E2E_PORT: String(PORT), E2E_DIR: process.env.E2E_DIR },
        reuseExistingServer: false,
        timeout: 60_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
