// The argon2 limit: how many argon2id verifications one core does per second with Tessera's parameters.
// Run pinned (`taskset -c 0 node --import tsx bench/argon2-rate.ts`); prints one JSON line.
import { Algorithm, hash, verify } from '@node-rs/argon2';

const memoryCost = Number(process.env.ARGON2_MEMORY_KIB ?? 7168);
const timeCost = Number(process.env.ARGON2_ITERATIONS ?? 5);
const seconds = Number(process.env.SECONDS ?? 3);
const concurrency = Number(process.env.CONCURRENCY ?? 4);

const stored = await hash('bench-password-1', { algorithm: Algorithm.Argon2id, memoryCost, timeCost, parallelism: 1 });
for (let i = 0; i < 5; i++) await verify(stored, 'bench-password-1'); // warm-up

let done = 0;
const start = performance.now();
const deadline = start + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await verify(stored, 'bench-password-1');
      done++;
    }
  }),
);
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ memoryCost, timeCost, concurrency, verifications: done, perSecond: done / elapsed, msEach: (1000 * elapsed) / done })}\n`,
);
