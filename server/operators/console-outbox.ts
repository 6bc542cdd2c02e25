// The console's outbox: messages with their status, filtered by status and recipient, a page at a time, and
// resending one after confirming. Never a message's text: its links and codes stay out of the console.
import type { Context } from 'koa';
import { z } from 'zod';
import { Uuid } from '../tenants/schemas.js';
import { CONSOLE, CONSOLE_PAGE_SIZE, type ConsoleArea } from './console.js';
import { destructiveRoute, filterText, pageLinks } from './console-forms.js';
import type { Acting } from './operation.js';
import type { MessageBody } from './schemas.js';

const OUTBOX = `${CONSOLE}/outbox`;
type Message = z.output<typeof MessageBody>;

/** The filter as the address carries it; an empty or odd value is no filter. */
const OutboxFilter = z.object({
  status: z.enum(['queued', 'sent', 'failed']).optional().catch(undefined),
  to: filterText(320),
  cursor: filterText(1200),
});

export const outboxArea: ConsoleArea = (router, console) => {
  const { operator, run, show } = console;

  async function showOutbox(ctx: Context, acting: Acting, extra: Record<string, unknown> = {}, status = 200) {
    const { cursor, ...filter } = OutboxFilter.parse(ctx.query);
    const page = await run<{ items: Message[]; next_cursor: string | null }>(
      'outbox.list',
      { query: { ...filter, cursor, limit: String(CONSOLE_PAGE_SIZE) } },
      acting,
    );
    show(
      ctx,
      'outbox',
      'outbox',
      {
        filter,
        messages: page.items,
        ...pageLinks(OUTBOX, page.next_cursor, cursor, filter),
        ...extra,
      },
      status,
    );
  }

  router.get(OUTBOX, async (ctx) => {
    const acting = await operator(ctx);
    if (acting) await showOutbox(ctx, acting);
  });

  destructiveRoute(router, console, `${OUTBOX}/:messageId/resend`, {
    action: 'outbox_resend',
    area: 'outbox',
    // The confirmation names the recipient only.
    name: async (ctx, acting) => (await messageOf(Uuid.parse(ctx.params.messageId), acting)).recipient,
    back: () => OUTBOX,
    run: (ctx, acting) => run('outbox.resend', { params: { messageId: Uuid.parse(ctx.params.messageId) } }, acting),
    after: () => OUTBOX,
    notice: 'message_resent',
    refused: (ctx, acting, error, status) => showOutbox(ctx, acting, { error }, status),
  });

  /** One message as the list shows it: its text is dropped here, never handed to a page. */
  async function messageOf(id: string, acting: Acting): Promise<Message> {
    const { body_text: _text, ...summary } = await run<Message & { body_text: string }>(
      'outbox.get',
      { params: { messageId: id } },
      acting,
    );
    return summary;
  }
};
