// Starts Tessera exactly as `node --import tsx server/main.ts` does (same module, same environment). The bench
// runs its server under this name so that a broad `pkill -f server/main.ts` from someone else's session on a
// shared machine does not end a measurement half-way (it happened while this bench was written).
import '../../server/main.js';
