// The messages that carry an e-mail code: a sign-in code (to type, or a link that opens a page to submit it),
// and the code that proves an invited address.
import type { ComposedMail } from '../accounts/mail.js';
import { type Renderer, resolveLocale, translate } from '../render.js';

export class CodeMail {
  constructor(private readonly renderer: Renderer) {}

  /** `path` is a path under the issuer (the sign-in's own page); the mail makes it absolute from the issuer. */
  signInCode({ code, path, locale }: { code: string; path: string; locale?: string }): ComposedMail {
    const lang = resolveLocale(locale);
    const context = { locale: lang, code, link: `${this.renderer.issuer}${path}` };
    return {
      subject: translate(lang, 'mail.email-code.subject'),
      text: this.renderer.render('mail/email-code.txt.njk', context),
      html: this.renderer.render('mail/email-code.html.njk', context),
    };
  }

  /** The code that proves an invited address to the account signed in elsewhere (invitations/address-proof.ts). */
  invitationAddressCode({
    code,
    tenantName,
    locale,
  }: {
    code: string;
    tenantName: string;
    locale?: string;
  }): ComposedMail {
    const lang = resolveLocale(locale);
    const context = { locale: lang, code, tenantName };
    return {
      subject: translate(lang, 'mail.invitation-address.subject'),
      text: this.renderer.render('mail/invitation-address-code.txt.njk', context),
      html: this.renderer.render('mail/invitation-address-code.html.njk', context),
    };
  }
}
