// The messages an invitation sends, in the invitation's locale; links are built from the issuer only.
import type { ComposedMail } from '../accounts/mail.js';
import { type Renderer, resolveLocale, translate, translateSubject } from '../render.js';

export interface InvitationMailContext {
  tenantName: string;
  inviterName: string;
  link: string;
  expiresAt: Date;
  locale: string | null;
}

export class InvitationMail {
  constructor(private readonly renderer: Renderer) {}

  invitation(c: InvitationMailContext): ComposedMail {
    const locale = resolveLocale(c.locale);
    const context = {
      locale,
      tenant: c.tenantName,
      inviter: c.inviterName,
      link: c.link,
      expires: c.expiresAt.toISOString().slice(0, 10),
    };
    return {
      subject: translateSubject(locale, 'mail.invitation.subject', context),
      text: this.renderer.render('mail/invitation.txt.njk', context),
      html: this.renderer.render('mail/invitation.html.njk', context),
    };
  }

  /** An SMS carries the short /i/{handle} link: a signed token is too long for a text message. */
  sms(c: InvitationMailContext): string {
    return translate(resolveLocale(c.locale), 'sms.invitation', { tenant: c.tenantName, link: c.link });
  }

  /** Tells the inviter that someone accepted or declined. */
  decided({
    tenantName,
    who,
    decision,
    locale,
  }: {
    tenantName: string;
    who: string;
    decision: 'accepted' | 'declined';
    locale: string | null;
  }): ComposedMail {
    const lang = resolveLocale(locale);
    const context = { locale: lang, tenant: tenantName, who, decision };
    return {
      subject: translateSubject(lang, `mail.invitation-${decision}.subject`, context),
      text: this.renderer.render('mail/invitation-decided.txt.njk', context),
      html: this.renderer.render('mail/invitation-decided.html.njk', context),
    };
  }
}
