// JSON API routes described by zod schemas: the same schemas validate each request and produce
// the OpenAPI 3.1 document, so the documentation cannot drift from what the server accepts.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';

type Method = 'get' | 'post' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  /** Koa-style path, e.g. `/api/tenants/:tenantId`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status -> description and body schema (none for 204). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** False for routes anyone may call. */
  secured?: boolean;
}

export interface Input<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ErrorBody = z.object({ error: z.string(), error_description: z.string() }).meta({ id: 'Error' });

/** A route's error answers: status -> description, each with the Error body. */
export const errorResponses = (statuses: Record<number, string>) =>
  Object.fromEntries(Object.entries(statuses).map(([s, d]) => [s, { description: d, schema: ErrorBody }]));

const empty = z.object({}).strict();

/** Unknown fields are refused (strict schemas); query strings arrive as strings, so schemas coerce. */
const pick = (source: unknown, schema: AnyObject | undefined): unknown => (schema ?? empty).parse(source ?? {});

export interface ApiRouterOptions {
  /**
   * Check every answer against the schema documented for its status, failing the request when they differ
   * (on in tests: the document cannot drift from what the server says, and it costs nothing in production).
   */
  checkResponses?: boolean;
}

/** `C` is the authenticated caller: secured routes authenticate first, so a missing token is 401 before any 400. */
export class ApiRouter<C> {
  readonly router = new Router();
  private readonly specs: RouteSpec<AnyObject, AnyObject, z.ZodType>[] = [];

  constructor(
    private readonly authenticate: (ctx: Context) => Promise<C>,
    private readonly options: ApiRouterOptions = {},
  ) {}

  route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: Input<P, Q, B> & { caller: C; ctx: Context }) => Promise<Reply>,
  ): void {
    this.specs.push(spec as unknown as RouteSpec<AnyObject, AnyObject, z.ZodType>);
    this.router[spec.method](spec.path, async (ctx) => {
      const caller = spec.secured === false ? (undefined as C) : await this.authenticate(ctx);
      const input = {
        params: pick(ctx.params, spec.params),
        query: pick(ctx.query, spec.query),
        body: spec.body ? spec.body.parse(ctx.request.body ?? {}) : undefined,
      } as Input<P, Q, B>;
      const reply = await handler({ ...input, caller, ctx });
      if (this.options.checkResponses) checkReply(spec, reply);
      for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
      ctx.status = reply.status ?? 200;
      if (reply.body !== undefined) ctx.body = reply.body;
    });
  }

  /** The OpenAPI 3.1 document of every route registered so far. */
  openapi(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schemas: Record<string, unknown> = {};
    const toSchema = (schema: z.ZodType, io: 'input' | 'output') => jsonSchema(schema, io, schemas);
    for (const spec of this.specs) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][spec.method] = {
        summary: spec.summary,
        tags: [spec.tag],
        ...(spec.secured === false ? { security: [] } : {}),
        parameters: [...parameters(spec.params, 'path', toSchema), ...parameters(spec.query, 'query', toSchema)],
        ...(spec.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: toSchema(spec.body, 'input') } },
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries(spec.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema ? { content: { 'application/json': { schema: toSchema(r.schema, 'output') } } } : {}),
            },
          ]),
        ),
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      // Either scheme: a token bound to a key (cnf.jkt) goes as DPoP with a proof, any other as Bearer.
      security: [{ bearer: [] }, { dpop: [] }],
      components: {
        schemas,
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          dpop: {
            type: 'http',
            scheme: 'DPoP',
            bearerFormat: 'JWT',
            description: 'A DPoP-bound access token with a DPoP proof header (RFC 9449).',
          },
        },
      },
      paths,
    };
  }
}

/** Throws when an answer's status is not documented, or its body does not match the documented schema. */
function checkReply(spec: RouteSpec<AnyObject, AnyObject, z.ZodType>, reply: Reply): void {
  const status = reply.status ?? 200;
  const documented = spec.responses[status];
  if (!documented)
    throw new Error(`${spec.method.toUpperCase()} ${spec.path} answered ${status}, which it does not document`);
  const checked = documented.schema?.safeParse(reply.body);
  const what = `${spec.method.toUpperCase()} ${spec.path} ${status}`;
  if (checked && !checked.success)
    throw new Error(`${what} does not match its schema: ${z.prettifyError(checked.error)}`);
  // zod drops fields its objects do not name: a field it dropped is one the document does not show.
  const hidden = checked ? undocumentedFields(JSON.parse(JSON.stringify(reply.body ?? null)), checked.data) : [];
  if (hidden.length) throw new Error(`${what} answers fields its schema does not document: ${hidden.join(', ')}`);
}

function undocumentedFields(sent: unknown, documented: unknown, path = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(documented))
    return sent.flatMap((item, i) => undocumentedFields(item, documented[i], `${path}[${i}]`));
  if (!isPlainObject(sent) || !isPlainObject(documented)) return [];
  return Object.keys(sent).flatMap((key) =>
    key in documented
      ? undocumentedFields(sent[key], documented[key], path ? `${path}.${key}` : key)
      : [path ? `${path}.${key}` : key],
  );
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One schema as JSON Schema 2020-12. Named schemas (`.meta({ id })`) go to components/schemas, since
 * OpenAPI resolves `#/...` references against the document root, not against the schema.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, unknown>): unknown {
  const {
    $schema: _,
    $defs,
    ...json
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  const relink = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as unknown;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[name] = relink(def);
  return relink(json);
}

function parameters(
  schema: AnyObject | undefined,
  where: 'path' | 'query',
  toSchema: (s: z.ZodType, io: 'input') => unknown,
): unknown[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: toSchema(field as z.ZodType, 'input'),
    ...((field as z.ZodType).description ? { description: (field as z.ZodType).description } : {}),
  }));
}
