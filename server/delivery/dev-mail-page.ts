// /dev/mail: the outbox as a page, for development without SMTP. Never mounted in production.
import Router from '@koa/router';
import type { PageRenderer } from '../page.js';
import type { Database } from '../db/database.js';
import { getMessage, listMessages } from './outbox.js';

const linksIn = (text: string) => [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];

export function devMailRoutes(db: Database, page: PageRenderer): Router {
  const router = new Router({ prefix: '/dev/mail' });
  router.get('/', async (ctx) =>
    page.render(ctx, 'pages/dev-mail.njk', {
      // Mail and SMS: webhook deliveries have their own log.
      messages: await listMessages(db, { limit: 100, channels: ['email', 'sms'] }),
    }),
  );
  router.get('/:id', async (ctx) => {
    const message = /^[0-9a-f-]{36}$/.test(ctx.params.id) ? await getMessage(db, ctx.params.id) : null;
    if (!message) return page.render(ctx, 'pages/error.njk', { status: 404, code: 'not_found' }, 404);
    return page.render(ctx, 'pages/dev-mail.njk', { message, links: linksIn(message.bodyText) });
  });
  return router;
}
