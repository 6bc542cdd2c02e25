// Builds Tessera: opens nothing itself, wires services, routers and the provider into one Koa app.
import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import { AfterAnswer } from './accounts/later.js';
import { AccountMail } from './accounts/mail.js';
import { accountPage, type AccountSection } from './accounts/account-page.js';
import { accountPageRoutes } from './accounts/pages.js';
import { passwordSection } from './accounts/password-section.js';
import { AccountEmails } from './accounts/account-emails.js';
import { addressesSection } from './accounts/addresses-section.js';
import { AddressProof } from './invitations/address-proof.js';
import { pendingInvitationsSection } from './invitations/account-section.js';
import { PasswordHasher } from './accounts/passwords.js';
import { AccountService } from './accounts/service.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { devMailRoutes } from './delivery/dev-mail-page.js';
import { DEMO_CLIENT_ID, demoRoutes } from './demo/routes.js';
import { bodyParser } from './http/body.js';
import { csrf } from './http/csrf.js';
import { errorHandler } from './http/error-handler.js';
import { AppError } from './errors.js';
import { accessLog, type Logger } from './http/logging.js';
import { pinOrigin } from './http/pin-origin.js';
import { createQuota, createRateLimiter } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { clientFlags, clientInfo, ensureClient } from './oidc/clients.js';
import { interactionRoutes } from './oidc/interactions.js';
import { type KeySet, loadKeys } from './keys/keys.js';
import { derivedKey, loadSealingKeys, SecretBox } from './keys/sealing.js';
import { createApiAuthenticator } from './oidc/api-tokens.js';
import { DpopVerifier } from './oidc/dpop.js';
import { DpopReplayStore } from './oidc/dpop-replay.js';
import { endAccountSessions } from './oidc/adapter.js';
import { BrowserSessions, INTERNAL_CLIENT_ID } from './oidc/browser-session.js';
import { createProvider } from './oidc/provider.js';
import { providerMethodsAt } from './oidc/provider-methods.js';
import { loadCookieKeys } from './oidc/secrets.js';
import { onProviderServerError } from './oidc/server-errors.js';
import { PageRenderer } from './page.js';
import { Renderer } from './render.js';
import type { Caller } from './tenants/access.js';
import { TenantDirectory } from './tenants/claims.js';
import { MembershipService } from './tenants/memberships.js';
import { InvitationMail } from './invitations/mail.js';
import { RedemptionService } from './invitations/redemption.js';
import { invitationRoutes } from './invitations/routes.js';
import { InvitationService } from './invitations/service.js';
import { invitationSection } from './invitations/manage-section.js';
import { invitationPageRoutes } from './invitations/pages.js';
import { invitationInteractions } from './invitations/interactions.js';
import { invitationPrompts } from './invitations/prompts.js';
import { tenantInteractions } from './tenants/interactions.js';
import { tenantPageRoutes } from './tenants/pages.js';
import { tenantPrompts } from './tenants/prompts.js';
import { tenantRoutes } from './tenants/routes.js';
import { TenantService } from './tenants/service.js';
import { ApiRouter } from './http/api-router.js';
import { AccountAdministration } from './accounts/administration.js';
import { type Operation, operatorOf, operatorRoutes } from './operators/operation.js';
import { operatorOperations } from './operators/operations.js';
import { operatorPages } from './operators/pages.js';
import { operatorConsole } from './operators/console.js';
import { accountArea } from './operators/console-accounts.js';
import { clientArea } from './operators/console-clients.js';
import { recordArea } from './operators/console-records.js';
import { operatorArea } from './operators/console-operators.js';
import { outboxArea } from './operators/console-outbox.js';
import { resourceArea } from './operators/console-resources.js';
import { connectionArea } from './operators/console-connections.js';
import { webhookArea } from './operators/console-webhooks.js';
import { OperatorService } from './operators/service.js';
import { permissionSection } from './resources/manage-section.js';
import { resourceRoutes } from './resources/routes.js';
import { ResourceService } from './resources/service.js';
import { ResourceDirectory } from './resources/tokens.js';
import { apiResource } from './oidc/protocol.js';
import { webhookRoutes } from './webhooks/routes.js';
import { webhookOperations } from './operators/webhook-operations.js';
import { resourceOperations } from './operators/resource-operations.js';
import { domainOperations } from './operators/domain-operations.js';
import { connectionOperations } from './operators/connection-operations.js';
import { clientSettingOperations } from './operators/client-settings-operations.js';
import { setUpWebhooks, type Webhooks } from './webhooks/setup.js';
import { DomainService } from './federation/domains.js';
import { dnsTxtLookup } from './federation/domains-dns.js';
import { domainInteractions } from './federation/domains-interactions.js';
import { JoinService } from './federation/domains-joins.js';
import { DomainMail } from './federation/domains-mail.js';
import { JoinRequestService } from './federation/domains-requests.js';
import { domainPrompts } from './federation/domains-prompts.js';
import { domainRoutes } from './federation/domains-routes.js';
import { domainSection } from './federation/domains-section.js';
import { secondFactorSection } from './factors/account-section.js';
import { factorInteractions } from './factors/interactions.js';
import { PasskeyService } from './factors/passkeys.js';
import { tenantPolicyPrompt } from './factors/prompts.js';
import { RecoveryCodes } from './factors/recovery-codes.js';
import { SecondFactors } from './factors/service.js';
import { factorScripts } from './factors/static.js';
import { TotpService } from './factors/totp.js';
import { CodeMail } from './factors/code-mail.js';
import { emailCodeInteractions } from './factors/email-code-pages.js';
import { EmailCodeSignIn } from './factors/email-codes.js';
import { OneTimeCodes } from './factors/one-time-codes.js';
import { smsCodeInteractions } from './factors/sms-code-pages.js';
import { phoneSection } from './factors/phone-section.js';
import { SmsCodes } from './factors/sms-codes.js';
import { PhoneAccounts } from './accounts/phone-accounts.js';
import { displayNamesOf } from './accounts/profiles.js';
import { RegistrationGate } from './accounts/registration-gate.js';
import { InvitationClaims } from './invitations/id-token-claim.js';
import { prefillOf } from './invitations/prefill.js';
import { AccountDeletion } from './federation/account-deletion.js';
import { deleteAccountSection, signInMethodsSection } from './federation/account-sections.js';
import { ownTenants } from './tenants/own-tenants.js';
import { callbackRoutes } from './federation/callback.js';
import { ConnectionService } from './federation/connections.js';
import { connectionOptions, federationInteractions } from './federation/interactions.js';
import { connectionSection } from './federation/manage-section.js';
import { connectionRoutes } from './federation/routes.js';
import { FederationService } from './federation/sign-ins.js';
import { HomeRealm } from './federation/home-realm.js';
import { SamlServiceProvider } from './federation/saml.js';
import { samlRoutes } from './federation/saml-routes.js';
import { UpstreamClient } from './federation/upstream.js';
import { AccountSessions, sessionsSection } from './oidc/sessions-section.js';

export interface Tessera {
  app: Koa;
  provider: Provider;
  keys: KeySet;
  accounts: AccountService;
  tenants: TenantService;
  directory: TenantDirectory;
  invitations: InvitationService;
  redemption: RedemptionService;
  resources: ResourceService;
  api: ApiRouter<Caller>;
  operators: OperatorService;
  /** Every operation of the operator API (the CLI runs the same list in-process). */
  operations: Operation[];
  webhooks: Webhooks;
  /** Verified domains: which tenant holds a domain, for sign-in features (home-realm discovery, JIT membership). */
  domains: DomainService;
  factors: SecondFactors;
  /** Short codes sent to an address or a number (e-mail sign-in), shared by every feature that sends them. */
  oneTimeCodes: OneTimeCodes;
  connections: ConnectionService;
  federation: FederationService;
}

const stylesheet = readFileSync(new URL('../public/tessera.css', import.meta.url));

function healthRoutes(db: Database): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await db.ping();
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', error: 'database_unreachable' };
    }
  });
  router.get('/static/tessera.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = stylesheet;
  });
  return router;
}

/** The API takes JSON: a form post (a browser's cross-site request) is refused with 415 before anything runs. */
const jsonOnly: Koa.Middleware = async (ctx, next) => {
  if (ctx.request.length && !ctx.is('application/json'))
    throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json.');
  await next();
};

/** The Management API: JSON bodies, bearer tokens (no cookies, so no CSRF), and its OpenAPI document. */
function apiRouter(api: ApiRouter<Caller>, issuer: string): Router {
  const router = new Router();
  const document = api.openapi({ title: 'Tessera Management API', version: '1', serverUrl: issuer });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = document;
  });
  router.use('/api', jsonOnly, bodyParser(), async (ctx, next) => {
    await next();
    ctx.set('Cache-Control', 'no-store');
  });
  router.use(api.router.routes(), api.router.allowedMethods());
  return router;
}

/** Our own browser routes: parsed bodies and CSRF checks, which the provider's endpoints must not get. */
function pageRouter(config: Config, routers: Router[]): Router {
  const router = new Router();
  router.use(bodyParser(), csrf({ issuer: config.issuer, cookieName: 'tessera.csrf' }));
  for (const r of routers) router.use(r.routes(), r.allowedMethods());
  return router;
}

export async function createTessera(config: Config, db: Database, logger: Logger): Promise<Tessera> {
  const [keys, cookieKeys, sealingKeys] = await Promise.all([
    loadKeys(db),
    loadCookieKeys(db, config.cookieSecrets),
    loadSealingKeys(db, config.secretEncryptionKeys),
  ]);
  const renderer = new Renderer(config.issuer);
  const page = new PageRenderer(renderer);
  const directory = new TenantDirectory(db);
  const onGrantDestroyed = [(id: string) => directory.forgetGrant(id)];
  const connections = new ConnectionService(db, new SecretBox(sealingKeys, 'connection-secrets'), config.issuer, {
    allowHttp: config.federation.allowHttp,
  });
  const saml = new SamlServiceProvider(config.issuer);
  // Work done after the answer (mail whose timing must not tell whether an address has an account).
  const later = new AfterAnswer((error) =>
    logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'deferred work failed'),
  );
  // accounts knows nothing of oidc or tenants: a credential change reaches the sessions through this hook.
  const accounts = new AccountService(db, new PasswordHasher(config.argon2), new AccountMail(renderer), {
    later,
    onCredentialChanged: (accountId) => endAccountSessions(db, accountId, onGrantDestroyed),
    mailLimits: config.mailLimits,
    signInMethodsOf: (accountId): Promise<string[]> => federation.signInMethodsOf(accountId),
  });
  const upstream = new UpstreamClient({
    allowHttp: config.federation.allowHttp,
    redirectUri: (slug) => connections.redirectUri(slug),
    saml,
  });
  const domains = new DomainService(
    db,
    dnsTxtLookup(config.dns),
    createQuota({ keyPrefix: 'domains-verify', points: config.domainVerifyQuotaPerHour, durationSeconds: 3600 }),
  );
  // A tenant's own connections are trusted for e-mails in that tenant's verified domains only.
  const federation: FederationService = new FederationService(
    db,
    accounts,
    connections,
    upstream,
    (tenantId) => domains.verifiedOf(tenantId),
    saml,
  );
  const tenants = new TenantService(db, config.tenantSelfService, config.tenantSelfServiceMax);
  const findClient = (id: string) => clientInfo(db, id);
  const invitationMail = new InvitationMail(renderer);
  const redemption = new RedemptionService(db, keys, config.issuer, invitationMail, findClient);
  // Per-tenant quota on creating and resending invitations, so one tenant cannot flood mailboxes.
  const quota = createQuota({
    keyPrefix: 'invitations-tenant',
    points: config.invitationQuotaPerHour,
    durationSeconds: 3600,
  });
  const invitations = new InvitationService(db, keys, config.issuer, invitationMail, findClient, quota, {
    mail: config.mailLimits,
    pendingPerEmail: config.invitationPendingPerEmail,
    smsCountries: config.factors.sms.countries,
  });
  const resources = new ResourceService(db, [apiResource(config.issuer)], tenants);
  const joins = new JoinService(db);
  const joinRequests = new JoinRequestService(db, new DomainMail(renderer));
  const oneTimeCodes = new OneTimeCodes(db, derivedKey(sealingKeys, 'one-time-codes'));
  const factors = new SecondFactors(
    new TotpService(db, new SecretBox(sealingKeys, 'totp-keys'), new URL(config.issuer).host),
    new PasskeyService(db, config.issuer),
    new RecoveryCodes(db),
  );
  const provider = createProvider({
    config,
    db,
    keys,
    cookieKeys,
    accounts,
    renderer,
    tenants: directory,
    resources: new ResourceDirectory(db),
    codeClaims: new InvitationClaims(db),
    onGrantDestroyed,
    // After consent: review invitations, then the invitation in the request, then joining by domain, then
    // create and select a tenant, then the active tenant's sign-in policy (a second factor, allowed first factors).
    prompts: [
      ...invitationPrompts(redemption),
      ...domainPrompts(joins),
      ...tenantPrompts(directory, { selfService: config.tenantSelfService }),
      tenantPolicyPrompt(directory),
    ],
  });
  // The provider answers 500 for errors it does not know; a busy database is 503 with Retry-After there too.
  provider.on('server_error', onProviderServerError(logger));
  const authenticate = createApiAuthenticator({
    issuer: config.issuer,
    keys,
    db,
    accounts,
    dpop: new DpopVerifier(new DpopReplayStore(db)),
  });
  const api = new ApiRouter<Caller>(
    (ctx) =>
      authenticate({
        authorization: ctx.get('authorization') || undefined,
        dpop: ctx.get('dpop') || undefined,
        method: ctx.method,
        path: ctx.path,
      }),
    { checkResponses: config.env === 'test' },
  );
  const memberships = new MembershipService(db);
  tenantRoutes({ api, issuer: config.issuer, tenants, memberships });
  invitationRoutes({ api, issuer: config.issuer, invitations });
  const webhooks = setUpWebhooks(db, config, sealingKeys);
  webhookRoutes({ api, issuer: config.issuer, webhooks: webhooks.service });
  const operators = new OperatorService(db, config.issuer);
  const administration = new AccountAdministration(db, accounts, (id) => endAccountSessions(db, id, onGrantDestroyed));
  // The operator API: the same router and document, for callers that are operators (checked at every call).
  const operations = [
    ...operatorOperations({ db, accounts, administration, operators, tenants, memberships, invitations }),
    ...clientSettingOperations(db),
    ...resourceOperations(resources),
    ...domainOperations(domains),
    ...connectionOperations(connections),
    ...webhookOperations(webhooks.service),
  ];
  operatorRoutes(
    api.narrowed((caller) =>
      operatorOf(caller, { isOperator: (id) => operators.isOperator(id), clientFlags: (id) => clientFlags(db, id) }),
    ),
    operations,
  );
  resourceRoutes({ api, resources });
  domainRoutes({ api, issuer: config.issuer, domains, requests: joinRequests });
  connectionRoutes({ api, issuer: config.issuer, connections });
  const sessions = new BrowserSessions(provider, config.issuer, (ctx) =>
    renderer.render('pages/sign-in-cancelled.njk', { locale: page.locale(ctx) }),
  );
  await ensureClient(db, INTERNAL_CLIENT_ID, () => ({
    name: 'Tessera',
    redirectUris: [`${config.issuer}/signed-in`],
    firstParty: true,
  }));

  const { perIp, perAccount, windowSeconds } = config.rateLimit;
  const limiter = (keyPrefix: string, points: number) =>
    createRateLimiter(db, { keyPrefix, points, durationSeconds: windowSeconds });
  const [
    signInPerIp,
    signInPerAccount,
    registerPerIp,
    resetPerIp,
    resetPerAccount,
    codesPerAccount,
    codeSendsPerAddress,
    optionsPerIp,
    smsSendsPerNumber,
    smsSendsPerCountry,
  ] = await Promise.all([
    limiter('signin-ip', perIp),
    limiter('signin-account', perAccount),
    limiter('register-ip', perIp),
    limiter('reset-ip', perIp),
    limiter('reset-account', perAccount),
    limiter('factor-codes-account', perAccount),
    limiter('code-sends-address', perAccount),
    // A passkey challenge per sign-in page opened: page views, not attempts, so a wider budget.
    limiter('passkey-options-ip', perIp * 10),
    limiter('sms-sends-number', perAccount),
    // Per country calling code and hour, whatever RATE_LIMIT_WINDOW_SECONDS says: a ceiling on SMS pumping's cost.
    createRateLimiter(db, {
      keyPrefix: 'sms-sends-country',
      points: config.factors.sms.perCountryPerHour,
      durationSeconds: 3600,
    }),
  ]);
  const factorPages = factorInteractions({
    factors,
    accounts,
    page,
    limits: { perAccount: codesPerAccount, perIp: signInPerIp, optionsPerIp },
  });

  const emailCodePages = emailCodeInteractions({
    signIns: new EmailCodeSignIn({
      db,
      codes: oneTimeCodes,
      accounts,
      mail: new CodeMail(renderer),
      later,
      mailLimits: config.mailLimits,
    }),
    page,
    limits: { sendPerAddress: codeSendsPerAddress, perIp: signInPerIp },
  });

  const phones = new PhoneAccounts(db);
  const smsCodes = new SmsCodes({
    db,
    codes: oneTimeCodes,
    phones,
    later,
    mailLimits: config.mailLimits,
    host: new URL(config.issuer).host,
  });
  /** What an invitation in a sign-in's parameters pre-fills on its sign-up forms. */
  const invitationPrefill = async (params: Record<string, unknown>) =>
    typeof params.invitation === 'string' ? prefillOf(db, redemption, params.invitation) : undefined;
  // One answer for every way a sign-in may create an account (REGISTRATION=invitation_only): a valid invitation.
  const registration = new RegistrationGate(config.registration, (token) =>
    redemption.open(token).then(
      () => true,
      () => false,
    ),
  );
  const smsCodePages = smsCodeInteractions({
    codes: smsCodes,
    phones,
    page,
    countries: config.factors.sms.countries,
    limits: { sendPerNumber: smsSendsPerNumber, sendPerCountry: smsSendsPerCountry, perIp: signInPerIp },
    registration,
    terms: config.terms,
    prefill: invitationPrefill,
  });

  const accountEmails = new AccountEmails(db);
  // "This is my address": an account signed in as someone else proves an e-mail-bound invitation's address.
  const addressProof = new AddressProof({
    db,
    codes: oneTimeCodes,
    redemption,
    addresses: accountEmails,
    mail: new CodeMail(renderer),
    mailLimits: config.mailLimits,
    limits: { perAddress: codeSendsPerAddress, perIp: signInPerIp },
  });

  // The account page's parts from other features, in the order they show.
  const accountSections: AccountSection[] = [
    pendingInvitationsSection(redemption, (ctx) => page.locale(ctx)),
    addressesSection(accountEmails),
    passwordSection({ accounts, perAccount: signInPerAccount }),
    secondFactorSection({
      factors,
      accounts,
      limits: { perAccount: codesPerAccount },
      passkeys: config.factors.passkeys,
    }),
    ...(config.factors.smsCodes
      ? [
          phoneSection({
            codes: smsCodes,
            phones,
            page,
            countries: config.factors.sms.countries,
            otherWayToSignIn: async (accountId) =>
              (await accounts.hasOwnSignIn(accountId, 'phone')) ||
              (await federation.identitiesOf(accountId)).length > 0,
            limits: {
              sendPerNumber: smsSendsPerNumber,
              sendPerCountry: smsSendsPerCountry,
              perAccount: codesPerAccount,
            },
          }),
        ]
      : []),
    signInMethodsSection(federation, connections, accounts, phones),
    sessionsSection(new AccountSessions(db, onGrantDestroyed, (idp) => connections.nameOf(idp))),
    // Your organisations: tenants/ reads them; the section is wired here (tenants/ knows nothing of accounts/).
    { template: 'partials/account/tenants.njk', load: async (id) => ({ tenants: await ownTenants(db, id) }) },
    deleteAccountSection(new AccountDeletion(db, accounts, federation), page),
  ];
  const routers = [
    interactionRoutes({
      provider,
      accounts,
      page,
      limits: { signInPerIp, signInPerAccount, registerPerIp },
      extensions: [
        invitationInteractions({ provider, accounts, redemption, page, proof: addressProof }),
        domainInteractions({ joins, page }),
        tenantInteractions({ tenants: directory, service: tenants, page }),
        factorPages.extension,
        ...(config.factors.emailCodes ? [emailCodePages.extension] : []),
        ...(config.factors.smsCodes ? [smsCodePages.extension] : []),
        federationInteractions({ federation, page, limits: { signInPerIp, signInPerAccount }, registration }),
      ],
      // A tenant's own connections show when the sign-in carries that tenant's invitation (or its tenant_hint).
      loginOptions: [
        connectionOptions(connections, async (params) => {
          if (typeof params.invitation !== 'string') return [];
          const invited = await redemption.open(params.invitation).catch(() => undefined);
          return invited ? [invited.tenantId] : [];
        }),
        ...(config.factors.emailCodes ? [emailCodePages.loginOptions] : []),
        ...(config.factors.smsCodes ? [smsCodePages.loginOptions] : []),
        ...(config.factors.passkeys ? [factorPages.loginOptions] : []),
      ],
      secondFactor: factorPages.step,
      homeRealm: new HomeRealm(db, federation),
      identityFirst: config.identityFirst,
      identifiers: config.factors.smsCodes ? [smsCodePages.identifier] : [],
      registration,
      terms: config.terms,
      prefill: invitationPrefill,
      provenEmail: async (params) =>
        typeof params.invitation === 'string' ? redemption.mailedAddressOf(params.invitation) : undefined,
      provenPhone: async (params) =>
        typeof params.invitation === 'string' ? redemption.textedNumberOf(params.invitation) : undefined,
      invitationTenant: async (params) =>
        typeof params.invitation === 'string'
          ? (await redemption.open(params.invitation).catch(() => undefined))?.tenantName
          : undefined,
    }),
    accountPageRoutes({ accounts, page, limits: { resetPerIp, resetPerAccount, signInPerIp, signInPerAccount } }),
    accountPage({ accounts, page, browser: sessions, sections: accountSections }),
    tenantPageRoutes({
      tenants,
      memberships,
      page,
      browser: sessions,
      namesOf: (ids) => db.read((m) => displayNamesOf(m, ids)),
      sections: [
        invitationSection(invitations),
        permissionSection(resources),
        domainSection(domains, joinRequests, connections),
        connectionSection(connections),
      ],
    }),
    callbackRoutes({ federation, page, browser: sessions, issuer: config.issuer }),
    invitationPageRoutes({ redemption, accounts, page, browser: sessions, proof: addressProof }),
    operatorPages({
      operators,
      accounts,
      page,
      browser: sessions,
      demo: config.demo,
      registrationOpen: config.registration === 'open',
    }),
    operatorConsole({ operations, isOperator: (id) => operators.isOperator(id), page, browser: sessions }, [
      clientArea,
      accountArea,
      recordArea,
      operatorArea,
      resourceArea,
      connectionArea,
      webhookArea,
      outboxArea,
    ]),
    sessions.routes(),
    factorScripts(),
  ];
  if (config.demo) {
    const demo = await ensureClient(db, DEMO_CLIENT_ID, () => ({
      name: 'Tessera demo app',
      redirectUris: [`${config.issuer}/demo/callback`],
      postLogoutRedirectUris: [`${config.issuer}/demo`],
    }));
    routers.push(demoRoutes({ issuer: config.issuer, clientSecret: demo.secret!, page }));
  }
  if (!config.production) routers.push(devMailRoutes(db, page));

  // Behind a proxy, trust only the address the nearest proxy appended, not what the client wrote itself.
  const app = new Koa({ keys: cookieKeys, proxy: config.trustProxy, maxIpsCount: 1 });
  pinOrigin(app, config.issuer);
  app.use(accessLog(logger));
  app.use(
    errorHandler({
      logger,
      methodsAt: providerMethodsAt,
      renderErrorPage: (ctx, error) => page.render(ctx, 'pages/error.njk', { ...error }, error.status),
    }),
  );
  app.use(securityHeaders({ issuer: config.issuer }));
  const health = healthRoutes(db);
  app.use(health.routes());
  // The provider's endpoints go straight to it: none of our routes answers there (provider-methods.test.ts),
  // and matching every page and API route first cost a token request a tenth of its time.
  const toProvider = mount(provider);
  app.use((ctx, next) => (providerMethodsAt(ctx.path) ? toProvider(ctx, next) : next()));
  const pages = pageRouter(config, routers);
  // Posted by a SAML IdP's page (another site): outside the page router's CSRF check, see saml-routes.ts.
  app.use(samlRoutes({ federation, connections, saml, page, browser: sessions }).routes());
  app.use(pages.routes());
  app.use(pages.allowedMethods());
  app.use(apiRouter(api, config.issuer).routes());
  app.use(toProvider);
  return {
    app,
    provider,
    keys,
    accounts,
    tenants,
    directory,
    api,
    invitations,
    redemption,
    resources,
    operators,
    operations,
    webhooks,
    domains,
    factors,
    oneTimeCodes,
    connections,
    federation,
  };
}
