// An operator operation is one route of the operator API and the code behind it. The API runs it for an
// operator's token; the CLI sends it to a running server, or runs the same code in-process on the database.
import { z } from 'zod';
import { type ApiRouter, ErrorBody, type Input, type Reply, type RouteSpec } from '../http/api-router.js';
import { Forbidden } from '../errors.js';
import type { Caller } from '../tenants/access.js';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/** Who acts, for the audit trail: an operator's account id, `client:<id>`, or `cli` (in-process). */
export interface Acting {
  actor: string;
}

export interface Operation<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
> {
  /** The CLI's name for it, e.g. `clients.create`. */
  name: string;
  spec: RouteSpec<P, Q, B>;
  run(input: Input<P, Q, B>, acting: Acting): Promise<Reply>;
}

/** Declares an operation with its types inferred from its schemas. */
export function operation<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
  name: string,
  spec: RouteSpec<P, Q, B>,
  run: (input: Input<P, Q, B>, acting: Acting) => Promise<Reply>,
): Operation {
  return { name, spec: { ...spec, operationId: name }, run } as unknown as Operation;
}

/** What a caller hands an operation before its schemas have read it (the API's raw request parts). */
export interface RawInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/**
 * Runs an operation as its route would: the input is read by the operation's own schemas first (a ZodError
 * becomes a 400), so the CLI and the console apply exactly the API's rules.
 */
export function invoke(op: Operation, input: RawInput, acting: Acting): Promise<Reply> {
  const { spec } = op;
  const query = Object.fromEntries(Object.entries(input.query ?? {}).filter(([, v]) => v !== undefined));
  return op.run(
    {
      params: (spec.params ?? z.object({})).parse(input.params ?? {}),
      query: (spec.query ?? z.object({})).parse(query),
      body: spec.body ? spec.body.parse(input.body ?? {}) : undefined,
    },
    acting,
  );
}

/** The operator's standing, read fresh at every call: never taken from the token alone. */
export interface OperatorCheck {
  /** Is this account an operator (the operators table)? */
  isOperator(accountId: string): Promise<boolean>;
  /** Is this client flagged as an operator client, and what else is known of it? */
  clientFlags(clientId: string): Promise<{ operator: boolean; firstParty: boolean } | undefined>;
}

export const OPERATOR_SCOPE = 'operator';

/**
 * Who may call the operator API: a client flagged `operator` with the `operator` scope (client credentials,
 * e.g. the CLI), or a person who is an operator, with a token that carries the scope and was issued to a
 * first-party app (so no third-party app can ask an operator to hand over the role).
 */
export async function operatorOf(caller: Caller, check: OperatorCheck): Promise<Acting> {
  const denied = () => new Forbidden('Only operators may use the operator API.', 'forbidden');
  if (caller.kind === 'operator') return { actor: caller.actor };
  if (!caller.scopes?.has(OPERATOR_SCOPE))
    throw new Forbidden('The token lacks the operator scope.', 'insufficient_scope');
  if (caller.kind === 'client') {
    const flags = await check.clientFlags(caller.clientId);
    if (!flags?.operator) throw denied();
    return { actor: `client:${caller.clientId}` };
  }
  const flags = caller.clientId ? await check.clientFlags(caller.clientId) : undefined;
  if (!flags?.firstParty || !(await check.isOperator(caller.accountId))) throw denied();
  return { actor: caller.accountId };
}

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s]!, schema: ErrorBody }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'The request is malformed (see error_description).',
  401: 'No valid bearer access token for this API.',
  403: 'The caller is not an operator.',
  404: 'No such thing.',
  409: 'Conflicts with the current state (see error_description).',
  422: 'Breaks a rule (see error_description).',
};

/** Adds operations to the operator API (a router whose callers were checked to be operators). */
export function operatorRoutes(api: ApiRouter<Acting>, operations: Operation[]): void {
  for (const op of operations)
    api.route(op.spec, ({ caller, params, query, body }) => op.run({ params, query, body }, caller));
}
