// Signing in with a code mailed to a verified address. Asking answers at once, the same for every address:
// looking the address up, issuing the code and writing the mail run after the answer (accounts/later.ts),
// so neither the page nor its timing tells whether the address has an account. Only the verified address
// of an account that may sign in (not disabled) gets a code; any other address gets nothing.
import type { AccountService } from '../accounts/service.js';
import type { Database } from '../db/database.js';
import { enqueueWithinLimits, type MailLimits } from '../delivery/outbox.js';
import type { Later } from '../accounts/later.js';
import type { CodeMail } from './code-mail.js';
import type { CodeTarget, OneTimeCodes } from './one-time-codes.js';

export interface EmailCodeDeps {
  db: Database;
  codes: OneTimeCodes;
  accounts: AccountService;
  mail: CodeMail;
  later: Later;
  mailLimits: MailLimits;
}

/** The page a mailed link opens: it shows a button that posts the code (a GET changes nothing). */
export const emailCodeLinkPath = (uid: string, code: string) =>
  `/interaction/${encodeURIComponent(uid)}/email-code/link?code=${encodeURIComponent(code)}`;

const target = (uid: string): CodeTarget => ({ purpose: 'email_sign_in', subject: uid });

export class EmailCodeSignIn {
  constructor(private readonly deps: EmailCodeDeps) {}

  /** Mails a code for the sign-in `uid` to `email` if it is a verified address of an account that may sign in. */
  request(uid: string, email: string, locale?: string): void {
    this.deps.later.add(() => this.send(uid, email, locale));
  }

  /** The account a right code proves (looked up again: it may have been disabled meanwhile), or undefined. */
  async verify(uid: string, code: string): Promise<string | undefined> {
    const check = await this.deps.codes.verify(target(uid), code);
    if (!check.ok) return undefined;
    return (await this.deps.accounts.findVerifiedHolder(check.identifier))?.id;
  }

  private async send(uid: string, email: string, locale: string | undefined): Promise<void> {
    const { db, codes, accounts, mail, mailLimits } = this.deps;
    const holder = await accounts.findVerifiedHolder(email);
    await db.transaction(async (m) => {
      // Asking for another address ends the earlier code of this sign-in, whether or not one is sent now.
      if (!holder?.email) return codes.withdraw(m, target(uid));
      const code = await codes.issue(m, target(uid), holder.email);
      const message = mail.signInCode({ code, path: emailCodeLinkPath(uid, code), locale });
      // Past the address's hourly mail limit nothing is sent (the page said the same either way), and a
      // code nobody received must not stay open to guessing.
      const queued = await enqueueWithinLimits(
        m,
        {
          channel: 'email',
          recipient: holder.email,
          subject: message.subject,
          bodyText: message.text,
          bodyHtml: message.html,
        },
        mailLimits,
      );
      if (!queued.queued) await codes.withdraw(m, target(uid));
    });
  }
}
