// What a start does about the first operator: the bootstrap account when configured, else a setup link,
// printed once (instances starting together issue one; a later start prints nothing while it still works).
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../http/logging.js';
import type { OperatorService } from './service.js';

export async function firstOperatorAtStart(
  config: Pick<Config, 'bootstrapAdmin'>,
  operators: OperatorService,
  accounts: AccountService,
  logger: Logger,
  print: (text: string) => void,
): Promise<void> {
  const bootstrap = config.bootstrapAdmin;
  if (bootstrap?.password && (await operators.count()) === 0) {
    // Another instance may create it at the same moment: its Conflict means the account is there.
    await accounts
      .createAccount(
        { email: bootstrap.email, name: bootstrap.email, password: bootstrap.password, verified: true },
        'bootstrap',
      )
      .catch((error: unknown) => {
        if (!(error instanceof AppError && error.status === 409)) throw error;
      });
  }
  const outcome = await operators.firstStart(bootstrap?.email);
  switch (outcome.kind) {
    case 'has_operators':
      return;
    case 'bootstrapped':
      logger.info(
        { account_id: outcome.accountId },
        'TESSERA_BOOTSTRAP_ADMIN_EMAIL: that account is now the first operator',
      );
      return;
    case 'link_pending':
      logger.info(
        { expires_at: outcome.expiresAt.toISOString() },
        'no operator yet; the setup link printed at an earlier start still works (npm run tessera -- operators:setup-link prints a new one)',
      );
      return;
    case 'link_issued':
      if (bootstrap)
        logger.warn(
          'TESSERA_BOOTSTRAP_ADMIN_EMAIL: no account signs in with that address; issuing a setup link instead',
        );
      // Printed, not logged: the link is a credential for whoever opens it first, and logs travel further.
      print(
        `\nNo operator yet. Open this link within an hour to register or sign in and become the first operator:\n\n    ${outcome.link.url}\n\n(It works once. \`npm run tessera -- operators:setup-link\` prints a new one.)\n`,
      );
  }
}
