// The message that carries an e-mail sign-in code: the code to type, and a link that opens a page to submit it.
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
}
