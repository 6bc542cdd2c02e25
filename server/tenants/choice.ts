// The tenant an authorization request chooses (a valid tenant_hint, the select page, a new tenant, an
// accepted invitation) counts for the app's grant only when the app redeems that request's code.
// Another site can send a signed-in person's browser to /auth with prompt=none and a tenant_hint, but it
// never redeems the code: so the choice waits, tied to the code, and applies at the code's exchange.
import type { AuthorizationCode, KoaContextWithOIDC } from 'oidc-provider';
import type { TenantDirectory, TenantRead } from './claims.js';
import type { SignInPolicy } from './sign-in-policy.js';

/** The interaction result that carries a tenant chosen on a page; results merge, so the last choice wins. */
const RESULT_KEY = 'active_tenant';

/** The routes that issue authorization codes (a new request, or one resumed after its pages). */
const CODE_ROUTES = new Set(['authorization', 'resume']);

/** When the grant will expire: its own exp, or a day from now if it has none. */
export const grantExpiry = (exp: number | undefined) =>
  new Date((exp ?? Math.floor(Date.now() / 1000) + 86_400) * 1000);

/** The interaction result to merge in when a page of the request chose a tenant. */
export const tenantChoice = (tenantId: string) => ({ [RESULT_KEY]: { tenantId } });

/** A valid tenant_hint resolved in this request (the select-tenant check resolves it). */
const hinted = new WeakMap<KoaContextWithOIDC, string>();

export function noteHintedTenant(ctx: KoaContextWithOIDC, tenantId: string): void {
  hinted.set(ctx, tenantId);
}

/** The tenant this request chose: by a valid hint, else on one of its pages; undefined when it chose none. */
export function chosenInRequest(ctx: KoaContextWithOIDC): string | undefined {
  return hinted.get(ctx) ?? chosenInResult(ctx.oidc.result);
}

/** What the tenant checks of one authorization request read: once per request, shared by the prompts. */
const readInRequest = new WeakMap<KoaContextWithOIDC, Promise<TenantRead>>();

export function tenantsInRequest(
  tenants: TenantDirectory,
  ctx: KoaContextWithOIDC,
  { accountId, grantId }: { accountId: string; grantId: string },
): Promise<TenantRead> {
  let read = readInRequest.get(ctx);
  if (!read) {
    read = tenants.membershipsAndChoice(accountId, grantId);
    readInRequest.set(ctx, read);
  }
  return read;
}

/**
 * The tenant that becomes active with this request (chosen in it, else the grant's, else the only membership),
 * with its sign-in policy: what the policy prompt applies. Runs after the select-tenant check, which resolves a hint.
 */
export async function activeTenantInRequest(
  tenants: TenantDirectory,
  ctx: KoaContextWithOIDC,
  here: { accountId: string; grantId: string },
): Promise<{ tenantId: string; policy: SignInPolicy } | undefined> {
  return tenants.activeWithPolicy(await tenantsInRequest(tenants, ctx, here), chosenInRequest(ctx));
}

export function chosenInResult(result: Record<string, unknown> | undefined): string | undefined {
  const tenantId = (result?.[RESULT_KEY] as { tenantId?: unknown } | undefined)?.tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}

/**
 * After a request issued a code (and before the redirect carrying it leaves): holds the request's choice
 * for that code, so that it exists before the app can redeem the code.
 */
export async function holdTenantChoice(tenants: TenantDirectory, ctx: KoaContextWithOIDC): Promise<void> {
  const code = ctx.oidc?.entities.AuthorizationCode;
  if (!code || !CODE_ROUTES.has(ctx.oidc.route) || !code.grantId || !code.accountId) return;
  const tenantId = chosenInRequest(ctx);
  const expiresAt = new Date(Date.now() + code.expiration * 1000);
  if (tenantId) await tenants.hold(code.jti, { grantId: code.grantId, accountId: code.accountId, tenantId }, expiresAt);
}

/** The app redeems a code at /token: its request's choice becomes the grant's, before the tokens' claims are read. */
export async function redeemTenantChoice(
  tenants: TenantDirectory,
  ctx: KoaContextWithOIDC,
  code: AuthorizationCode,
): Promise<void> {
  await tenants.applyHeld(code.jti, grantExpiry(ctx.oidc.entities.Grant?.exp));
}

/** A tenant a refresh request switches its grant to (`tenant` at the token endpoint), checked by the caller. */
const switched = new WeakMap<KoaContextWithOIDC, string>();

export function noteSwitchedTenant(ctx: KoaContextWithOIDC, tenantId: string): void {
  switched.set(ctx, tenantId);
}

/** The tenant this token request switches to, if any: it counts before the grant's stored choice. */
export function switchedTenant(ctx: KoaContextWithOIDC | undefined): string | undefined {
  return ctx ? switched.get(ctx) : undefined;
}
