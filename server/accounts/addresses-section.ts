// The account page's "Other addresses": those proved to accept invitations (account-emails.ts), each with
// a remove button. Shown only when there are some.
import { z } from 'zod';
import { pageForm, parsePageForm } from '../http/forms.js';
import type { AccountSection } from './account-page.js';
import type { AccountEmails } from './account-emails.js';

const removeForm = pageForm({ email: z.string().min(1).max(320) });

export function addressesSection(addresses: AccountEmails): AccountSection {
  return {
    template: 'partials/account/addresses.njk',
    load: async (accountId) => ({ addresses: await addresses.list(accountId) }),
    routes(router, page) {
      router.post('/account/addresses/remove', async (ctx) => {
        const { email } = parsePageForm(removeForm, ctx.request.body);
        return page.change(ctx, (accountId) => addresses.remove(accountId, email), 'address_removed');
      });
    },
  };
}
