// Exits 0 when the Galera cluster the suite in test/galera/ uses is up (all three nodes wsrep_ready=ON
// in one cluster of three), else prints why and exits 1. Used by scripts/test.sh.
import { clusterProblem, GALERA_URLS } from '../../test/support/galera.js';

const problem = await clusterProblem();
if (problem) {
  console.log(`Galera cluster not ready: ${problem}`);
  process.exit(1);
}
console.log(`Galera cluster ready: ${GALERA_URLS.map((u) => new URL(u).host).join(', ')}`);
