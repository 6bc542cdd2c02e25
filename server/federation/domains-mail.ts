// The message a person gets when a tenant admin decides their request to join by domain.
import type { ComposedMail } from '../accounts/mail.js';
import { type Renderer, resolveLocale, translateSubject } from '../render.js';

export class DomainMail {
  constructor(private readonly renderer: Renderer) {}

  requestDecided({
    tenantName,
    status,
    locale,
  }: {
    tenantName: string;
    status: 'approved' | 'denied';
    locale: string | null;
  }): ComposedMail {
    const lang = resolveLocale(locale);
    const context = { locale: lang, tenant: tenantName, status };
    return {
      subject: translateSubject(lang, `mail.join-request-${status}.subject`, context),
      text: this.renderer.render('mail/join-request-decided.txt.njk', context),
      html: this.renderer.render('mail/join-request-decided.html.njk', context),
    };
  }
}
