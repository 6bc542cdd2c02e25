// The e-mail code as a first factor inside a sign-in: the button on the sign-in page, the page that asks for
// the address, the page to type the code, and the page a mailed link opens (a button that posts the code:
// opening a link changes nothing). A right code ends in kit.signIn with amr `otp`.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { normaliseEmail } from '../accounts/service.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { form, parseForm } from '../interaction/forms.js';
import type { Interaction, InteractionExtension, InteractionKit, LoginOptions } from '../interaction/kit.js';
import type { PageRenderer } from '../page.js';
import type { EmailCodeSignIn } from './email-codes.js';
import { CodeForm, EmptyForm } from './forms.js';

export interface EmailCodePageDeps {
  signIns: EmailCodeSignIn;
  page: PageRenderer;
  limits: {
    /** Codes asked for one address, whether or not it has an account (so the answer is the same). */
    sendPerAddress: RateLimiter;
    /** Codes asked for, and codes typed, from one client address. */
    perIp: RateLimiter;
  };
}

const AskForm = form({ email: z.string().trim().max(2000) });
const Email = z.string().email().max(320);
const LinkQuery = z.object({ code: z.string().trim().min(1).max(32) });

export function emailCodeInteractions(deps: EmailCodePageDeps): {
  extension: InteractionExtension;
  loginOptions: LoginOptions;
} {
  const { signIns, page, limits } = deps;

  const extension: InteractionExtension = (router: Router, kit: InteractionKit) => {
    const show = async (
      ctx: Context,
      interaction: Interaction,
      template: 'ask' | 'enter' | 'link',
      extra: Record<string, unknown> = {},
      status = 200,
    ) => page.render(ctx, `pages/email-code-${template}.njk`, { ...(await kit.common(interaction)), ...extra }, status);

    // The sign-in page's button: the page that asks for the address.
    router.post('/email-code', async (ctx) => {
      const interaction = await kit.details(ctx);
      parseForm(EmptyForm, ctx.request.body);
      return show(ctx, interaction, 'ask');
    });

    // Same page whatever the address: the code goes out later, only to a verified address of an account.
    router.post('/email-code/send', async (ctx) => {
      const interaction = await kit.details(ctx);
      const { email } = parseForm(AskForm, ctx.request.body);
      if (!Email.safeParse(email).success)
        return show(ctx, interaction, 'ask', { email, error: 'email_code.error.email_invalid' }, 400);
      await limits.perIp.consume(ctx.ip);
      await limits.sendPerAddress.consume(normaliseEmail(email));
      signIns.request(interaction.uid, email, page.locale(ctx));
      return show(ctx, interaction, 'enter', { email });
    });

    // The mailed link: shows the code in a form to post; nothing is spent by opening it.
    router.get('/email-code/link', async (ctx) => {
      const interaction = await kit.details(ctx);
      const query = LinkQuery.safeParse(ctx.query);
      if (!query.success) return show(ctx, interaction, 'enter');
      return show(ctx, interaction, 'link', { code: query.data.code });
    });

    router.post('/email-code/verify', async (ctx) => {
      const interaction = await kit.details(ctx);
      const { code } = parseForm(CodeForm, ctx.request.body);
      await limits.perIp.consume(ctx.ip);
      const accountId = await signIns.verify(interaction.uid, code);
      // One answer for every failure (wrong, spent, expired, too many guesses, never sent): no enumeration.
      if (!accountId) return show(ctx, interaction, 'enter', { error: 'email_code.error.wrong_code' }, 400);
      return kit.signIn(ctx, { accountId, amr: ['otp'] });
    });

    return {};
  };

  return {
    extension,
    loginOptions: async (interaction) => [
      { id: 'email-code', label: 'email_code.sign_in', action: `/interaction/${interaction.uid}/email-code` },
    ],
  };
}
