// Hostile requests for the fuzz test and `npm run fuzz`: every Management API operation of the
// OpenAPI document and every form of the pages, sent with wrong types, missing and extra fields,
// huge and deep values, odd content types and encodings. Every generated request is invalid by
// construction (each field is missing or a value no field accepts, or the envelope is one the body
// parser refuses), so a correct server refuses them all with a 4xx and changes nothing.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

export interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** A form as a page offers it: where it posts, its fields, and the hidden values (CSRF) it carries. */
export interface FormSpec {
  action: string;
  fields: string[];
  hidden: Record<string, string>;
  cookie: string;
  /** Forms with nothing to fill in (consent, cancel): any well-formed post is a valid answer, so only envelopes the parser refuses are sent. */
  envelopeOnly?: boolean;
}

/** Reads every POST form of a page: its action, hidden values and the names of its other controls. */
export function formsOf(html: string, cookie: string): FormSpec[] {
  const decode = (s: string) =>
    s
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'");
  const forms: FormSpec[] = [];
  for (const [tag] of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    if (!/method="post"/i.test(tag)) continue;
    const action = decode(/action="([^"]*)"/.exec(tag)?.[1] ?? '');
    const hidden: Record<string, string> = {};
    const fields = new Set<string>();
    for (const [control] of tag.matchAll(/<(?:input|select|textarea|button)\b[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(control)?.[1];
      if (!name) continue;
      if (/type="hidden"/.test(control)) hidden[name] = decode(/value="([^"]*)"/.exec(control)?.[1] ?? '');
      else fields.add(name);
    }
    forms.push({ action, fields: [...fields, ...Object.keys(hidden).filter((n) => n !== '_csrf')], hidden, cookie });
  }
  return forms;
}

/** oidc-provider's form endpoints, fuzzed without a client's credentials (so nothing they do can succeed). */
export const PROVIDER_FORMS: FormSpec[] = [
  {
    action: '/token',
    fields: [
      'grant_type',
      'code',
      'redirect_uri',
      'code_verifier',
      'refresh_token',
      'client_id',
      'scope',
      'resource',
      'tenant',
    ],
    hidden: {},
    cookie: '',
  },
  { action: '/token/introspection', fields: ['token', 'token_type_hint', 'client_id'], hidden: {}, cookie: '' },
  { action: '/token/revocation', fields: ['token', 'token_type_hint', 'client_id'], hidden: {}, cookie: '' },
];

// ---- values no field of ours accepts -------------------------------------------------------------

/** Longer than every field's limit (the longest, redirect_uri, is 2000), short enough to fit a body. */
const hugeString = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.integer({ min: 2_100, max: 8_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
const blank = fc.constantFrom('', ' ', '\t\n', '\u00a0\u2003');
const badString = fc.oneof({ arbitrary: blank, weight: 3 }, { arbitrary: hugeString, weight: 1 });

/** `{"a":{"a":…}}` at least 12 deep: deeper than any JSON field allows. */
const deepValue = fc.integer({ min: 12, max: 3_000 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
});
const badJson: fc.Arbitrary<unknown> = fc.oneof(
  badString,
  fc.constantFrom(null, true, false, -1.5, 0, 1e308, -0),
  fc.array(badString, { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), badString, { maxKeys: 3 }),
  deepValue,
);

/** A field name nobody declared, including names with a meaning to parsers. */
const extraName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x_${s}`),
  fc.constantFrom('constructor', 'toString', 'hasOwnProperty', '$where', 'x.y'),
);

// ---- bodies ------------------------------------------------------------------------------------------

type Pairs = [string, string][];

/** One form field, invalid: missing, blank or huge, repeated, an object, or nested deep with brackets. */
const badFormField = (name: string, present = false): fc.Arbitrary<Pairs> =>
  fc.oneof(
    ...(present ? [] : [fc.constant<Pairs>([])]),
    badString.map((v): Pairs => [[name, v]]),
    fc.array(badString, { minLength: 2, maxLength: 4 }).map((vs): Pairs => vs.map((v) => [name, v])),
    badString.map((v): Pairs => [[`${name}[]`, v]]),
    fc.tuple(fc.string({ maxLength: 6 }), badString).map(([k, v]): Pairs => [[`${name}[${k}]`, v]]),
    fc.tuple(fc.integer({ min: 2, max: 60 }), badString).map(([d, v]): Pairs => [[`${name}${'[a]'.repeat(d)}`, v]]),
  );

/**
 * A JSON body of bad values. `strict`: the schema refuses unknown fields and names its required
 * ones, so an unknown field or a missing required one makes any body invalid. Otherwise (forms, whose
 * handlers ignore what they do not know) one field is always sent with a bad value, since a form may
 * well be valid with every field left out (no roles ticked).
 */
const badJsonBody = (fields: string[], strict?: { required: string[] }) =>
  fc
    .tuple(
      fc.tuple(...fields.map((f) => fc.option(badJson, { nil: undefined }).map((v) => [f, v] as const))),
      fc.array(fc.tuple(extraName, badJson), { maxLength: 2 }),
      fc.constantFrom(...(fields.length ? fields : [''])),
      badJson,
    )
    .map(([known, extra, chosen, forced]) => {
      const body: Record<string, unknown> = {};
      for (const [f, v] of known) if (v !== undefined) body[f] = v;
      for (const [f, v] of extra) body[f] = v;
      if (!strict) body[chosen] = body[chosen] ?? forced;
      else if (extra.length === 0 && strict.required.every((f) => f in body)) body.x_unknown = true;
      return body;
    });

/** A body the parser must refuse whatever it holds: wrong type, broken JSON or compression, too big or deep. */
const refusedEnvelope = (
  valid: () => string,
): fc.Arbitrary<{ headers: Record<string, string>; body?: string | Uint8Array }> =>
  fc.oneof(
    fc
      .constantFrom(
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/octet-stream',
        'application/json-patch+json',
        'text/html; charset=utf-8',
      )
      .map((type) => ({ headers: { 'content-type': type }, body: valid() })),
    fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'gzip, br', 'x-bogus').map((encoding) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding },
      body: valid(),
    })),
    fc
      .constantFrom(
        '{',
        '{"_csrf":',
        '[1,',
        '{"a":1}}',
        'nul',
        '\ufeff{"a":1',
        '{"__proto__":{"x":1}}',
        '{"a":1,"__proto__":{"polluted":true}}',
      )
      .map((text) => ({ headers: { 'content-type': 'application/json' }, body: text })),
    fc.integer({ min: 33, max: 20_000 }).map((depth) => ({
      headers: { 'content-type': 'application/json' },
      body: `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    })),
    fc.constantFrom(70_000, 150_000).map((size) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${valid()}&pad=${'x'.repeat(size)}`,
    })),
    fc.constant({ headers: { 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(120_000)}"}` }),
    fc.constant(null).map(() => ({ headers: {}, body: new TextEncoder().encode(valid()) })),
  );

const encodeForm = (pairs: Pairs) => {
  const params = new URLSearchParams();
  for (const [k, v] of pairs) params.append(k, v);
  return params.toString();
};

// ---- targets -----------------------------------------------------------------------------------------

/** Bad posts to one page form, with its CSRF token (mostly valid, so the input reaches the handler). */
export function formRequests(form: FormSpec): fc.Arbitrary<FuzzRequest> {
  const base = { method: 'POST', path: form.action };
  const headers = { cookie: form.cookie, accept: 'text/html' };
  const csrf = fc.oneof(
    { arbitrary: fc.constant(form.hidden._csrf), weight: 9 },
    { arbitrary: fc.constantFrom(undefined, '', 'forged'), weight: 1 },
  );
  const withCsrf = (token: string | undefined): Pairs => (token === undefined ? [] : [['_csrf', token]]);
  const envelope = refusedEnvelope(() => encodeForm(withCsrf(form.hidden._csrf))).map((e) => ({
    ...base,
    label: `envelope ${form.action}`,
    headers: { ...headers, ...e.headers },
    body: e.body,
  }));
  if (form.envelopeOnly) {
    const forged = fc.constantFrom('', 'forged').map((token) => ({
      ...base,
      label: `csrf ${form.action}`,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm([['_csrf', token]]),
    }));
    return fc.oneof(envelope, forged);
  }
  const fields = form.fields.length ? form.fields : ['value'];
  // One field is always sent (bad), as in badJsonBody.
  const known = fc
    .nat(fields.length - 1)
    .chain((chosen) => fc.tuple(...fields.map((f, i) => badFormField(f, i === chosen))));
  const urlencoded = fc
    .tuple(csrf, known, fc.array(fc.tuple(extraName, badString), { maxLength: 2 }))
    .map(([token, known, extra]) => ({
      ...base,
      label: `form ${form.action}`,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm([...withCsrf(token), ...known.flat(), ...extra]),
    }));
  const json = fc.tuple(csrf, badJsonBody(fields)).map(([token, body]) => ({
    ...base,
    label: `json ${form.action}`,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(token === undefined ? body : { ...body, _csrf: token }),
  }));
  const gzipped = urlencoded.map((r) => ({
    ...r,
    label: `gzip ${form.action}`,
    headers: { ...r.headers, 'content-encoding': 'gzip' },
    body: gzipSync(r.body),
  }));
  return fc.oneof(
    { arbitrary: urlencoded, weight: 5 },
    { arbitrary: json, weight: 3 },
    { arbitrary: gzipped, weight: 1 },
    { arbitrary: envelope, weight: 2 },
  );
}

interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query'; required?: boolean }[];
  requestBody?: {
    content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[]; $ref?: string } }>;
  };
}

export interface ApiFuzzOptions {
  /** A tenants:manage access token; without one every request goes unauthenticated. */
  token?: string;
  /** Real ids to put in the paths of GET operations (reads only), by parameter name. */
  realIds?: Record<string, string[]>;
}

/** Without lone surrogates, which URLs cannot carry. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/g, '?');

const badSegment = fc.oneof(
  fc.uuid(),
  fc.constantFrom('..', '%2e%2e', '%00', '%ff', 'null', '-1', '0', 'tenant-admin', '%0d%0aX-Injected:%201', '%252F'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(wellFormed(s))),
  fc.integer({ min: 300, max: 6_000 }).map((n) => 'a'.repeat(n)),
);
const badQueryValue = fc.oneof(
  blank,
  fc.integer({ min: 2_100, max: 4_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 20 }).map(wellFormed),
  fc.constantFrom('-1', '0', '1e400', 'NaN', 'true', '[]', '{}', 'pending,accepted', '%'),
);
const authorization = (token: string | undefined) =>
  fc.oneof(
    { arbitrary: fc.constant(token ? `Bearer ${token}` : undefined), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        undefined,
        'Bearer',
        'Bearer ',
        'Bearer a.b.c',
        'Basic Zm9vOmJhcg==',
        `DPoP ${token ?? 'x'}`,
        'Bearer eyJhbGciOiJub25lIn0.e30.',
      ),
      weight: 2,
    },
    { arbitrary: hugeString.map((s) => `Bearer ${'x'.repeat(Math.min(s.length, 12_000))}`), weight: 1 },
  );

/** Bad requests to every operation of the OpenAPI document. */
export function apiRequests(
  document: {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components?: { schemas?: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
  },
  options: ApiFuzzOptions = {},
): fc.Arbitrary<FuzzRequest> {
  const operations: fc.Arbitrary<FuzzRequest>[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push(operationRequests(template, method.toUpperCase(), operation, document, options));
    }
  }
  return fc.oneof(...operations);
}

function operationRequests(
  template: string,
  method: string,
  operation: OpenApiOperation,
  document: Parameters<typeof apiRequests>[0],
  options: ApiFuzzOptions,
): fc.Arbitrary<FuzzRequest> {
  const params = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const segment = (name: string) => {
    const real = method === 'GET' ? (options.realIds?.[name] ?? []) : [];
    return real.length ? fc.oneof(fc.constantFrom(...real), badSegment) : badSegment;
  };
  const path = fc
    .tuple(...pathParams.map((p) => segment(p.name).map((v) => [p.name, v] as const)))
    .map((values) => values.reduce((p, [name, v]) => p.replace(`{${name}}`, v), template));
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          fc
            .option(fc.array(badQueryValue, { minLength: 1, maxLength: 2 }), { nil: undefined })
            .map((vs) => [p.name, vs] as const),
        ),
      ),
      fc.array(fc.tuple(extraName, badQueryValue), { maxLength: 2 }),
    )
    .map(([known, extra]) => {
      const search = new URLSearchParams();
      for (const [name, values] of known) for (const v of values ?? []) search.append(name, v);
      for (const [name, v] of extra) search.append(name, v);
      const text = search.toString();
      return text ? `?${text}` : '';
    });
  const schema = bodySchemaOf(operation, document);
  const plainBody = schema
    ? badJsonBody(Object.keys(schema.properties ?? {}), { required: schema.required ?? [] }).map((b) =>
        JSON.stringify(b),
      )
    : fc.constantFrom('{}', '{"x":1}', '');
  const body = fc.oneof(
    {
      arbitrary: plainBody.map((text) => ({
        headers: { 'content-type': 'application/json' } as Record<string, string>,
        body: text as string | Uint8Array | undefined,
      })),
      weight: 6,
    },
    {
      arbitrary: plainBody.map((text) => ({
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(text),
      })),
      weight: 1,
    },
    { arbitrary: refusedEnvelope(() => '{"name":"","x_unknown":1}'), weight: 2 },
    { arbitrary: fc.constant({ headers: {}, body: undefined }), weight: 1 },
  );
  return fc.tuple(path, query, body, authorization(options.token)).map(([p, q, b, auth]) => ({
    label: `${method} ${template}`,
    method,
    path: `${p}${q}`,
    headers: { accept: 'application/json', ...(auth ? { authorization: auth } : {}), ...b.headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : b.body,
  }));
}

function bodySchemaOf(operation: OpenApiOperation, document: Parameters<typeof apiRequests>[0]) {
  const schema = operation.requestBody?.content['application/json']?.schema;
  if (!schema?.$ref) return schema;
  return document.components?.schemas?.[schema.$ref.split('/').at(-1)!];
}

// ---- running -----------------------------------------------------------------------------------------

export interface FuzzResult {
  sent: number;
  byStatus: Map<number, number>;
  failure?: { request: FuzzRequest; status: number; text: string };
}

/** Sends one request; answers its status and the start of its body. */
export async function send(baseUrl: string, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL(request.path, baseUrl), {
    method: request.method,
    headers: request.headers,
    body: request.body as RequestInit['body'],
    redirect: 'manual',
  });
  return { status: res.status, text: (await res.text()).slice(0, 300) };
}

/**
 * Runs `numRuns` generated requests with fast-check (fixed `seed`, so a failure replays) and stops
 * at the first 5xx.
 */
export async function fuzz(
  baseUrl: string,
  requests: fc.Arbitrary<FuzzRequest>,
  { seed, numRuns, onProgress }: { seed: number; numRuns: number; onProgress?: (result: FuzzResult) => void },
): Promise<FuzzResult> {
  const result: FuzzResult = { sent: 0, byStatus: new Map() };
  const details = await fc.check(
    fc.asyncProperty(requests, async (request) => {
      const { status, text } = await send(baseUrl, request);
      result.sent++;
      result.byStatus.set(status, (result.byStatus.get(status) ?? 0) + 1);
      if (result.sent % 250 === 0) onProgress?.(result);
      if (status >= 500) {
        result.failure = { request, status, text };
        return false;
      }
      return true;
    }),
    // No shrinking: the failing request is shown as sent, and the seed replays it.
    { seed, numRuns, endOnFailure: true },
  );
  // A thrown error (not a 5xx) is a fault of the fuzzer or the connection: say so rather than pass.
  if (details.failed && !result.failure) throw details.errorInstance ?? new Error('fuzzing stopped without a result');
  return result;
}

/** A request as a line a person can read and replay with curl. */
export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? request.body
        : `<${request.body.length} bytes>`;
  const shown = body.length > 400 ? `${body.slice(0, 400)}… (${body.length} chars)` : body;
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers)} ${JSON.stringify(shown)}`;
}
