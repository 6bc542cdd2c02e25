// Operator operations on accounts and on the operator role itself.
import { errorResponses, type Operation, operation } from './operation.js';
import type { OperatorDeps } from './operations.js';
import {
  AccountBody,
  AccountParams,
  AccountQuery,
  CreateAccount,
  GrantOperator,
  OperatorBody,
  PageQuery,
  pageOf,
  SetupLinkBody,
} from './schemas.js';

const tag = 'Operator: accounts';
const roleTag = 'Operator: operators';

export function accountOperations({ db, accounts, administration, operators }: OperatorDeps): Operation[] {
  /** Disabling or deleting an operator's account must leave another operator: the check and the act commit together. */
  const keepingAnOperator = <T>(accountId: string, act: () => Promise<T>) =>
    db.transaction(async (m) => {
      await operators.assertNotLast(m, accountId, { mustBeOne: false });
      return act();
    });
  const account = (method: 'post' | 'delete', path: string, summary: string, status: 200 | 204) => ({
    method,
    path: `/api/admin/accounts/:accountId${path}`,
    tag,
    summary,
    params: AccountParams,
    responses: {
      [status]: status === 200 ? { description: 'The account', schema: AccountBody } : { description: 'Done' },
      ...errorResponses(400, 401, 403, 404, 409, 422),
    },
  });
  return [
    operation(
      'accounts.list',
      {
        method: 'get',
        path: '/api/admin/accounts',
        tag,
        summary: 'Search accounts by name or e-mail address',
        query: AccountQuery,
        responses: {
          200: { description: 'A page of accounts', schema: pageOf(AccountBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => ({ body: await administration.search(query) }),
    ),
    operation(
      'accounts.create',
      {
        method: 'post',
        path: '/api/admin/accounts',
        tag,
        summary: 'Create an account that signs in with e-mail and password (the e-mail counts as verified)',
        body: CreateAccount,
        responses: { 201: { description: 'Created', schema: AccountBody }, ...errorResponses(400, 401, 403, 409) },
      },
      async ({ body }, { actor }) => {
        const created = await accounts.createAccount({ ...body, verified: true }, actor);
        return { status: 201, body: await administration.get(created.id) };
      },
    ),
    operation(
      'accounts.get',
      {
        method: 'get',
        path: '/api/admin/accounts/:accountId',
        tag,
        summary: 'Read an account',
        params: AccountParams,
        responses: { 200: { description: 'The account', schema: AccountBody }, ...errorResponses(400, 401, 403, 404) },
      },
      async ({ params }) => ({ body: await administration.get(params.accountId) }),
    ),
    operation(
      'accounts.disable',
      account(
        'post',
        '/disable',
        'Disable an account: it cannot sign in, its sessions end and its refresh tokens stop',
        200,
      ),
      async ({ params }, { actor }) => ({
        body: await keepingAnOperator(params.accountId, () => administration.disable(actor, params.accountId)),
      }),
    ),
    operation(
      'accounts.enable',
      account('post', '/enable', 'Enable a disabled account', 200),
      async ({ params }, { actor }) => ({ body: await administration.enable(actor, params.accountId) }),
    ),
    operation(
      'accounts.end-sessions',
      account('post', '/end-sessions', 'End every session of an account; its tokens stop working', 204),
      async ({ params }, { actor }) => {
        await administration.endAllSessions(actor, params.accountId);
        return { status: 204 };
      },
    ),
    operation(
      'accounts.send-reset',
      account('post', '/password-reset', 'Mail the account a password reset link (queued)', 204),
      async ({ params }, { actor }) => {
        await administration.sendReset(actor, params.accountId);
        return { status: 204 };
      },
    ),
    operation(
      'accounts.delete',
      account('delete', '', 'Delete an account, its credentials and memberships; its sessions end', 204),
      async ({ params }, { actor }) => {
        await keepingAnOperator(params.accountId, () => administration.delete(actor, params.accountId));
        return { status: 204 };
      },
    ),
    operation(
      'operators.list',
      {
        method: 'get',
        path: '/api/admin/operators',
        tag: roleTag,
        summary: 'List operators',
        query: PageQuery,
        responses: {
          200: { description: 'A page of operators', schema: pageOf(OperatorBody) },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => ({ body: await operators.list(query) }),
    ),
    operation(
      'operators.add',
      {
        method: 'post',
        path: '/api/admin/operators',
        tag: roleTag,
        summary: 'Make an account an operator (by id, or by the e-mail it signs in with)',
        body: GrantOperator,
        responses: {
          201: { description: 'The operator', schema: OperatorBody },
          ...errorResponses(400, 401, 403, 422),
        },
      },
      async ({ body }, { actor }) => ({
        status: 201,
        body: await operators.grant(actor, { accountId: body.account_id, email: body.email }),
      }),
    ),
    operation(
      'operators.remove',
      {
        method: 'delete',
        path: '/api/admin/operators/:accountId',
        tag: roleTag,
        summary: 'Take the operator role from an account (never from the last operator)',
        params: AccountParams,
        responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
      async ({ params }, { actor }) => {
        await operators.revoke(actor, params.accountId);
        return { status: 204 };
      },
    ),
    operation(
      'operators.setup-link',
      {
        method: 'post',
        path: '/api/admin/operators/setup-link',
        tag: roleTag,
        summary: 'Issue a new one-time link that makes the first operator (only while there is none)',
        responses: {
          201: { description: 'The link, shown only now', schema: SetupLinkBody },
          ...errorResponses(401, 403, 409),
        },
      },
      async () => ({ status: 201, body: await operators.issueSetupLink() }),
    ),
  ];
}
