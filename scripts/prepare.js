// npm's `prepare` step, run after every `npm ci` / `npm install` in this folder. With the dev
// dependencies installed it compiles the server to dist/ (`npm run build`). A production install
// (`npm ci --omit=dev`, or NODE_ENV=production) has no TypeScript: it needs a dist/ built
// beforehand, and says how to get one when there is none. Plain JavaScript, since tsx is a dev
// dependency too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const compilerInstalled = existsSync(new URL('node_modules/typescript/bin/tsc', root));

if (compilerInstalled) {
  // npm sets npm_execpath for the scripts it runs; `npm` from PATH when run by hand.
  const npm = process.env.npm_execpath;
  const build = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(build.status ?? 1);
}

const built = ['dist/server/main.js', 'dist/server/cli.js'].every((file) => existsSync(new URL(file, root)));
if (built) {
  console.log('prepare: TypeScript is not installed (a production install): using the existing build in dist/.');
  process.exit(0);
}
console.error(`prepare: Tessera is not built. dist/server/main.js is missing, and TypeScript, which builds it, is a dev
dependency that this install leaves out (npm ci --omit=dev, or NODE_ENV=production). Either install
everything, which also builds (npm ci), or build first (npm ci && npm run build) and then install the
production dependencies next to that dist/ (npm ci --omit=dev). See docs/operations.md.`);
process.exit(1);
