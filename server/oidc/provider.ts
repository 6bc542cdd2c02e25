// Configures oidc-provider: Tessera supplies storage, accounts, keys, pages and policies; the library does the protocol.
import type { KoaContextWithOIDC } from 'oidc-provider';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Account } from '../db/entities/index.js';
import type { Renderer } from '../render.js';
import type { Prompt } from '../interaction/kit.js';
import { holdTenantChoice, redeemTenantChoice } from '../tenants/choice.js';
import { type TenantDirectory, TENANTS_SCOPE } from '../tenants/claims.js';
import { createAdapter, type GrantDestroyedHook } from './adapter.js';
import type { KeySet } from '../keys/keys.js';
import { protocolSettings, STANDARD_CLAIMS, STANDARD_SCOPES } from './protocol.js';
import { rememberSessionIdp, sessionIdp } from './session-sign-ins.js';

export interface ProviderDeps {
  config: Config;
  db: Database;
  keys: KeySet;
  cookieKeys: string[];
  accounts: AccountService;
  renderer: Renderer;
  tenants: TenantDirectory;
  /** The features' prompts, in the order they run after consent (app.ts: invitations, then tenants). */
  prompts?: Prompt[];
  onGrantDestroyed?: GrantDestroyedHook[];
}

function standardClaims(account: Account) {
  return {
    sub: account.id,
    email: account.email ?? undefined,
    email_verified: account.email ? account.emailVerified : undefined,
    name: account.name ?? undefined,
    locale: account.locale ?? undefined,
    phone_number: account.phone ?? undefined,
    phone_number_verified: account.phone ? account.phoneVerified : undefined,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
  };
}

/** login -> consent -> the features' prompts, in the order app.ts hands them in. */
function interactionPolicyOf(deps: ProviderDeps) {
  const policy = interactionPolicy.base();
  for (const prompt of deps.prompts ?? []) policy.add(prompt);
  return policy;
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config, renderer } = deps;
  const protocol = protocolSettings(config.issuer);

  const provider = new Provider(config.issuer, {
    ...protocol,
    adapter: createAdapter(deps.db, deps.onGrantDestroyed),
    jwks: deps.keys.providerJwks() as never,
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    // `amr` (how the session signed in, filled by the provider from the login) and `idp` (the connection it
    // signed in through; absent for a local sign-in) come with `openid`: only claims a scope lists are released.
    claims: {
      ...STANDARD_CLAIMS,
      openid: [...STANDARD_CLAIMS.openid, 'amr', 'idp'],
      [TENANTS_SCOPE]: ['active_tenant', 'all_tenants'],
    },
    scopes: [...STANDARD_SCOPES, TENANTS_SCOPE],
    extraParams: {
      // Shape only here; whether it names one of the account's tenants is decided after sign-in.
      // Any string up to a JWS's size: a bad token gets Tessera's own page inside the flow, not an error to the app.
      invitation: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 4096))
          throw new errors.InvalidRequest('invitation must be an invitation token');
      },
      // Opens the registration form instead of the sign-in form (invitation pages use it).
      screen: async (_ctx, value) => {
        if (value !== undefined && value !== 'register') throw new errors.InvalidRequest('screen must be register');
      },
      tenant_hint: async (_ctx, value) => {
        if (value !== undefined && (typeof value !== 'string' || value.length > 100))
          throw new errors.InvalidRequest('tenant_hint must be a tenant id or slug');
      },
    },
    extraClientMetadata: {
      properties: ['first_party', 'tenants_manage'],
      validator(_ctx, key, value) {
        if (value !== undefined && typeof value !== 'boolean')
          throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
      },
    },
    findAccount: async (ctx, sub, token) => {
      const account = await deps.accounts.findById(sub);
      if (!account || account.disabledAt) return undefined;
      const grantId = token?.grantId ?? ctx.oidc.entities.Grant?.jti;
      if (token?.kind === 'AuthorizationCode') await redeemTenantChoice(deps.tenants, ctx, token);
      const sessionUid = (token as { sessionUid?: string } | undefined)?.sessionUid ?? ctx.oidc.session?.uid;
      return {
        accountId: account.id,
        // Memberships are read at every issuance, and only when the tenants scope is granted.
        claims: async (_use, scope) => ({
          ...standardClaims(account),
          idp: await sessionIdp(deps.db, sessionUid, account.id),
          ...(scope.split(' ').includes(TENANTS_SCOPE) ? await deps.tenants.claimsFor(account.id, grantId) : {}),
        }),
      };
    },
    // JWT access tokens for the API carry the tenant claims too, when the person granted the tenants scope.
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || !token.accountId || !token.resourceServer)
        return undefined;
      const grant = ctx.oidc.entities.Grant;
      if (!grant?.getOIDCScope().split(' ').includes(TENANTS_SCOPE)) return undefined;
      return { ...(await deps.tenants.claimsFor(token.accountId, grant.jti)) };
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyOf(deps),
    },
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      ...protocol.features,
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderer.render('pages/logout.njk', { form, clientName: ctx.oidc.client?.clientName });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderer.render('pages/logged-out.njk', { clientName: ctx.oidc.client?.clientName });
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderer.render('pages/error.njk', {
        status: ctx.status,
        code: out.error,
        // Our own words for known codes; the library's description otherwise (it never holds secrets).
        description: out.error_description,
      });
    },
  });
  provider.proxy = config.trustProxy;
  // After a code is issued, before the redirect carrying it leaves: the request's tenant choice waits for that code.
  provider.use(async (ctx, next) => {
    await next();
    await holdTenantChoice(deps.tenants, ctx as KoaContextWithOIDC);
    await rememberSessionIdp(deps.db, ctx as KoaContextWithOIDC);
  });
  return provider;
}
