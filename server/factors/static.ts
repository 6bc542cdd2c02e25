// The passkey scripts the pages load: @simplewebauthn/browser's own bundle (from the installed package, never
// a CDN) and public/passkeys.js, which runs the ceremonies on the forms that ask for one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';

// The package exports only its modules; its bundle sits beside them in the package folder.
const browserPackage = dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser'));
const scripts: Record<string, Buffer> = {
  '/static/webauthn.js': readFileSync(join(browserPackage, '../dist/bundle/index.umd.min.js')),
  '/static/passkeys.js': readFileSync(new URL('../../public/passkeys.js', import.meta.url)),
};

export function factorScripts(): Router {
  const router = new Router();
  for (const [path, body] of Object.entries(scripts)) {
    router.get(path, (ctx) => {
      ctx.type = 'application/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = body;
    });
  }
  return router;
}
