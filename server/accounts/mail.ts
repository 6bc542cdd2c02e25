// The e-mails the accounts feature sends; every link is built from the configured issuer.
import { type Renderer, translate, resolveLocale } from '../render.js';

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

export class AccountMail {
  constructor(private readonly renderer: Renderer) {}

  /**
   * Greets nobody by name: the name was typed by whoever registered, who may not be the reader. Says what
   * to do for a registration the reader did not start.
   */
  verifyEmail({ code, locale }: { code: string; locale?: string }): ComposedMail {
    return this.compose('verify-email', locale, {
      link: this.link('/verify-email', code),
      resetLink: `${this.renderer.issuer}/reset-password`,
    });
  }

  /** Someone registered an address that an unconfirmed account holds: the mailbox owner may take it over. */
  registrationPending({ code, locale }: { code: string; locale?: string }): ComposedMail {
    return this.compose('registration-pending', locale, { link: this.link('/reset-password/new', code) });
  }

  passwordReset({ code, locale }: { code: string; locale?: string }): ComposedMail {
    return this.compose('password-reset', locale, { link: this.link('/reset-password/new', code) });
  }

  alreadyRegistered({ locale }: { locale?: string }): ComposedMail {
    return this.compose('already-registered', locale, { link: `${this.renderer.issuer}/reset-password` });
  }

  /** Someone registered an address that an account from a connection holds: how it signs in, and adding a password. */
  alreadyFederated({ code, ways, locale }: { code: string; ways: string[]; locale?: string }): ComposedMail {
    return this.compose('already-federated', locale, { link: this.link('/reset-password/new', code), ways });
  }

  private link(path: string, code: string): string {
    return `${this.renderer.issuer}${path}?code=${encodeURIComponent(code)}`;
  }

  private compose(name: string, locale: string | undefined, context: Record<string, unknown>): ComposedMail {
    const ctx = { ...context, locale: resolveLocale(locale) };
    return {
      subject: translate(ctx.locale, `mail.${name}.subject`),
      text: this.renderer.render(`mail/${name}.txt.njk`, ctx),
      html: this.renderer.render(`mail/${name}.html.njk`, ctx),
    };
  }
}
