// Invitation redemption under load: N concurrent accepts (default 32) of one multi-use invitation by
// fresh accounts, each a full redemption transaction (verify token, check the row, count the use
// atomically, re-check roles, write the membership and the decision, audit). Service level: the HTTP
// page and the sign-in in front of it are measured by run.ts's sign-in scenario.
//
//   taskset -c 0 node --import tsx bench/redemption.ts --db mysql --concurrency 32 --seconds 10
//
// `--profile <file>` writes a CPU profile (.cpuprofile) of the redeeming alone, without the set-up.
//
// MySQL: the database `tessera_bench_redeem` is dropped and created each run. Prints figures and
// writes them to bench/results/redemption-<db>-<time>.json, or to --out <file> (bench/run.ts uses it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { AccountMail } from '../server/accounts/mail.js';
import { PasswordHasher } from '../server/accounts/passwords.js';
import { AccountService } from '../server/accounts/service.js';
import { openDatabase } from '../server/db/database.js';
import { createQuota } from '../server/http/rate-limit.js';
import { InvitationMail } from '../server/invitations/mail.js';
import { RedemptionService } from '../server/invitations/redemption.js';
import { InvitationService } from '../server/invitations/service.js';
import { loadKeys } from '../server/keys/keys.js';
import { Renderer } from '../server/render.js';
import { TenantService } from '../server/tenants/service.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    accounts: { type: 'string', default: '20000' },
    out: { type: 'string' },
    profile: { type: 'string' },
  },
});
const concurrency = Number(args.concurrency);
const seconds = Number(args.seconds);
const issuer = 'http://127.0.0.1:1';
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function database() {
  if (args.db === 'sqlite')
    return openDatabase({ kind: 'sqlite', file: join(tmpdir(), `tessera-redeem-${process.pid}.sqlite`) });
  const admin = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/' });
  await admin.query('DROP DATABASE IF EXISTS tessera_bench_redeem');
  await admin.query('CREATE DATABASE tessera_bench_redeem');
  await admin.end();
  return openDatabase({ kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/tessera_bench_redeem' });
}

const db = await database();
await db.migrate();
const keys = await loadKeys(db);
const renderer = new Renderer(issuer);
const noClients = async () => undefined;
const quota = createQuota({ keyPrefix: 'bench', points: 1e9, durationSeconds: 3600 });
const invitations = new InvitationService(db, keys, issuer, new InvitationMail(renderer), noClients, quota);
const redemption = new RedemptionService(db, keys, issuer, new InvitationMail(renderer), noClients);
const accounts = new AccountService(
  db,
  new PasswordHasher({ memoryCost: 1024, timeCost: 1 }),
  new AccountMail(renderer),
);
const tenant = await new TenantService(db, false).create(
  { kind: 'client', clientId: 'bench', manage: true },
  { name: 'Bench Co' },
);
const { token } = await invitations.create({ kind: 'client', clientId: 'bench', manage: true }, tenant.id, {
  roles: ['tenant-user'],
  deliver: 'none',
  maxUses: 1000,
  expiresIn: 3600,
});
await db.read((m) => m.query('UPDATE invitations SET max_uses = ?', [1e9])); // beyond the API's limit, for a long run

log(`creating ${args.accounts} accounts (${args.db})…`);
const ids: string[] = [];
for (let i = 0; i < Number(args.accounts); i += 200) {
  const batch = await Promise.all(
    Array.from({ length: 200 }, (_, j) =>
      accounts.createAccount({
        email: `r${i + j}@bench.test`,
        name: `R${i + j}`,
        password: 'bench passphrase',
        verified: true,
      }),
    ),
  );
  ids.push(...batch.map((a) => a.id));
}

/** MariaDB's statement counters (global: other clients of the server add to them), to count statements per accept. */
async function statementCounts(): Promise<Record<string, number> | undefined> {
  if (args.db !== 'mysql') return undefined;
  const rows = (await db.read((m) =>
    m.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_select','Com_insert','Com_update','Com_delete','Com_begin','Com_commit','Com_rollback')",
    ),
  )) as { Variable_name: string; Value: string }[];
  return Object.fromEntries(rows.map((r) => [r.Variable_name.replace('Com_', '').toLowerCase(), Number(r.Value)]));
}

log(`redeeming with ${concurrency} concurrent accepts for ${seconds} s…`);
const countsBefore = await statementCounts();
const profiler = args.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const cpuBefore = process.cpuUsage();
const latencies: number[] = [];
let next = 0;
let failed = 0;
const until = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < until && next < ids.length) {
      const accountId = ids[next++]!;
      const started = performance.now();
      try {
        const decided = await redemption.accept({ token: token! }, accountId);
        if (decided.outcome !== 'joined') failed++;
      } catch {
        failed++;
      }
      latencies.push(performance.now() - started);
    }
  }),
);
const cpu = process.cpuUsage(cpuBefore);
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(args.profile!, JSON.stringify(profile));
  profiler.disconnect();
}
const countsAfter = await statementCounts();
const elapsed = seconds;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
const members = await db.read((m) => m.query('SELECT COUNT(*) AS n FROM memberships'));
const result = {
  db: args.db,
  concurrency,
  seconds,
  ok: latencies.length - failed,
  failed,
  perSecond: Math.round((latencies.length - failed) / elapsed),
  p50: +pct(50).toFixed(1),
  p99: +pct(99).toFixed(1),
  max: +latencies[latencies.length - 1]!.toFixed(1),
  memberships: Number((members as { n: number | string }[])[0]!.n),
  /** Node CPU (user + system) per accept, in ms: the whole server side of a redemption but the database. */
  cpuMsPerAccept: +((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(3),
  /** Statements per accept, by kind (MariaDB only; `questions` counts every statement a client sent). */
  statementsPerAccept:
    countsBefore &&
    countsAfter &&
    Object.fromEntries(
      Object.keys(countsAfter).map((k) => [k, +((countsAfter[k]! - countsBefore[k]!) / latencies.length).toFixed(2)]),
    ),
};
log(
  `${result.perSecond} redemptions/s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, ${failed} failed, ${result.memberships} memberships`,
);
log(
  `Node CPU ${result.cpuMsPerAccept} ms per accept${
    result.statementsPerAccept ? `; statements per accept ${JSON.stringify(result.statementsPerAccept)}` : ''
  }`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  args.out ?? `bench/results/redemption-${args.db}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  JSON.stringify(result, null, 2),
);
await db.close();
