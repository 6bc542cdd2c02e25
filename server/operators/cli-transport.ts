// How the CLI carries out an operation: over the operator API of a running server, with the CLI's stored
// credential, or in-process on the database through the same operations the server runs. Either way the
// answer is the JSON the API would send, so every command prints the same.
import { z } from 'zod';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { toAppError } from '../http/error-handler.js';
import { apiResource } from '../oidc/protocol.js';
import { type CliCredential, readCliCredential } from './cli-credential.js';
import { invoke, OPERATOR_SCOPE, type Operation } from './operation.js';

/** An operation's input as the API takes it: path parameters, query-string values and a JSON body. */
export interface OperationInput {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface Transport {
  /** `remote`: a running server's operator API; `local`: this process, on the database. */
  readonly kind: 'remote' | 'local';
  call(name: string, input?: OperationInput): Promise<unknown>;
  close(): Promise<void>;
}

/** A failure to show as one line: the API's error_description, or the rule a service threw. */
export class CommandFailed extends Error {}

const ApiError = z.object({ error: z.string(), error_description: z.string() });

/** The server's operations in this process (server/cli.ts builds them as main.ts does) and how to let go. */
export interface InProcess {
  operations: Operation[];
  close(): Promise<void>;
}

/** Remote when the CLI has a credential and the server at ISSUER answers; in-process otherwise. */
export async function openTransport(config: Config, inProcess: () => Promise<InProcess>): Promise<Transport> {
  const credential = readCliCredential(config.cliCredentialsFile);
  if (credential && (await answers(config.issuer))) return remote(config.issuer, credential);
  return local(await inProcess());
}

/** Generous: a busy server still answers, and a wrong guess sends the CLI to a database the server holds. */
const HEALTH_TIMEOUT_MS = 10_000;

async function answers(issuer: string): Promise<boolean> {
  try {
    return (await fetch(`${issuer}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })).ok;
  } catch {
    return false;
  }
}

async function remote(issuer: string, credential: CliCredential): Promise<Transport> {
  const [token, routes] = await Promise.all([operatorToken(issuer, credential), routesOf(issuer)]);
  return {
    kind: 'remote',
    async call(name, input = {}) {
      const route = routes.get(name);
      if (!route) throw new CommandFailed(`the running server does not offer ${name} (is it an older version?)`);
      const path = route.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(input.params?.[key] ?? ''));
      const query = new URLSearchParams(
        Object.entries(input.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
      ).toString();
      const res = await fetch(`${issuer}${path}${query ? `?${query}` : ''}`, {
        method: route.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      const json =
        (res.headers.get('content-type') ?? '').includes('application/json') && text ? JSON.parse(text) : text;
      if (!res.ok) {
        const error = ApiError.safeParse(json);
        throw new CommandFailed(error.success ? error.data.error_description : `the server answered ${res.status}`);
      }
      return res.status === 204 ? undefined : json;
    },
    async close() {},
  };
}

/** The routes of the server's operations by operationId, from its OpenAPI document: whatever features it runs. */
async function routesOf(issuer: string): Promise<Map<string, { method: string; path: string }>> {
  const res = await fetch(`${issuer}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  const document = (await res.json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const routes = new Map<string, { method: string; path: string }>();
  for (const [path, methods] of Object.entries(document.paths))
    for (const [method, op] of Object.entries(methods))
      if (op.operationId) routes.set(op.operationId, { method: method.toUpperCase(), path });
  return routes;
}

async function operatorToken(issuer: string, credential: CliCredential): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(credential.client_id)}:${encodeURIComponent(credential.client_secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: OPERATOR_SCOPE,
      resource: apiResource(issuer),
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token)
    throw new CommandFailed(
      `the running server refused the CLI's credential (${body.error_description ?? res.status}); run cli:setup with the server stopped, or remove the credential file`,
    );
  return body.access_token;
}

/** The operations run here, on the database, wired exactly as the server wires them. */
function local({ operations: list, close }: InProcess): Transport {
  const operations = new Map(list.map((op) => [op.name, op]));
  return {
    kind: 'local',
    async call(name, input = {}) {
      const op = operations.get(name);
      if (!op) throw new Error(`unknown operation ${name}`);
      try {
        // As it would cross the wire: fields left undefined in the body are gone.
        const body = input.body === undefined ? undefined : JSON.parse(JSON.stringify(input.body));
        const reply = await invoke(op, { ...input, body }, { actor: 'cli' });
        // What the API would send: dates as strings, undefined fields gone.
        return reply.body === undefined || typeof reply.body === 'string'
          ? reply.body
          : JSON.parse(JSON.stringify(reply.body));
      } catch (error) {
        const known = toAppError(error);
        throw error instanceof AppError || known.status < 500 ? new CommandFailed(known.description) : error;
      }
    },
    close,
  };
}
