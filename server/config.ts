// Environment -> one validated, typed Config. Nothing else in Tessera reads process.env.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .positive('expected a positive number')
    .default(fallback);

/**
 * What kind of MySQL/MariaDB cluster the database is: `auto` asks the server (`@@wsrep_on`); `galera` and
 * `group-replication` read causally and retry certification conflicts; `none` is a single server or async replicas.
 */
export const DATABASE_CLUSTERS = ['auto', 'galera', 'group-replication', 'none'] as const;
export type DatabaseCluster = (typeof DATABASE_CLUSTERS)[number];

/** Who may create an account (REGISTRATION). */
export const REGISTRATION_MODES = ['open', 'invitation_only'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export const POOL_DEFAULTS: PoolOptions = { size: 10, waitMs: 3000, queueLimit: 200 };

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || isUrl(v, protocols), { message: `expected a URL (${protocols.join(', ')})` });

/** A comma-separated list of secrets (or keys), each at least 32 characters; unset or empty is undefined. */
const secretList = (what: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    )
    .refine((v) => v === undefined || v.every((s) => s.length >= 32), {
      message: `expected a comma-separated list of ${what}, each at least 32 characters`,
    });

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
  } catch {
    return false;
  }
}

/** A comma-separated list of secrets, each at least 32 characters: the first is used, all are accepted. */
/** `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53`: a DNS server as node:dns's Resolver takes it. */
const isDnsServer = (value: string) => {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(value);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : withPort ? [withPort[1]!, withPort[2]] : [value];
  return isIP(host) !== 0 && (port === undefined || (Number(port) > 0 && Number(port) < 65536));
};

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce
      .number({ message: 'expected a port number' })
      .int()
      .min(0)
      .max(65535, 'expected a port number')
      .default(3000),
    HOST: z.string().default('0.0.0.0'),
    ISSUER: url(['http', 'https']).refine(
      (v) =>
        v === undefined || !isUrl(v, ['http', 'https']) || new URL(v).href.replace(/\/$/, '') === new URL(v).origin,
      {
        message: 'expected an origin such as https://id.example.com (no path, query or fragment)',
      },
    ),
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/tessera.sqlite')
      .refine((v) => /^(sqlite:|mysql:\/\/|mariadb:\/\/)/.test(v), {
        message: 'expected sqlite:<file path> or mysql://user:password@host:port/database',
      }),
    SMTP_URL: url(['smtp', 'smtps']),
    MAIL_FROM: z.string().default('Tessera <no-reply@localhost>'),
    SMS_WEBHOOK_URL: url(['http', 'https']),
    COOKIE_SECRETS: secretList('secrets'),
    SECRET_ENCRYPTION_KEYS: secretList('keys'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DEMO: z.string().optional(),
    TRUST_PROXY: bool(false),
    RATE_LIMIT_LOGIN: positiveInt(10),
    RATE_LIMIT_IP: positiveInt(100),
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(900),
    ARGON2_MEMORY_KIB: positiveInt(7168),
    ARGON2_ITERATIONS: positiveInt(5),
    TENANT_SELF_SERVICE: bool(false),
    INVITATION_QUOTA_PER_HOUR: positiveInt(200),
    SHUTDOWN_TIMEOUT_SECONDS: positiveInt(10),
    DATABASE_POOL_SIZE: positiveInt(POOL_DEFAULTS.size),
    DATABASE_POOL_WAIT_MS: positiveInt(POOL_DEFAULTS.waitMs),
    DATABASE_POOL_QUEUE_LIMIT: positiveInt(POOL_DEFAULTS.queueLimit),
    DATABASE_CLUSTER: z
      .enum(DATABASE_CLUSTERS, { message: `expected ${DATABASE_CLUSTERS.join(', ')}` })
      .default('auto'),
    MAIL_PER_RECIPIENT_PER_HOUR: positiveInt(10),
    MAIL_PER_SENDER_PER_HOUR: positiveInt(100),
    TENANT_SELF_SERVICE_MAX: positiveInt(3),
    INVITATION_PENDING_PER_EMAIL: positiveInt(3),
    TESSERA_BOOTSTRAP_ADMIN_EMAIL: z
      .email({ message: 'expected an e-mail address' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    TESSERA_BOOTSTRAP_ADMIN_PASSWORD: z
      .string()
      .min(8, 'expected at least 8 characters')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    TESSERA_CLI_CREDENTIALS: z.string().optional(),
    DNS_SERVERS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((v) => v.every(isDnsServer), {
        message: 'expected a comma-separated list of DNS server addresses (1.2.3.4, 1.2.3.4:53, [::1]:53)',
      }),
    DNS_TIMEOUT_MS: positiveInt(5000),
    DOMAIN_VERIFY_QUOTA_PER_HOUR: positiveInt(30),
    PASSKEYS: bool(true),
    EMAIL_CODES: bool(true),
    SIGN_IN_IDENTITY_FIRST: bool(false),
    SMS_CODES: z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).optional(),
    SMS_COUNTRIES: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean),
      )
      .refine((v) => v.every((entry) => /^(\+[1-9]\d{0,2}|[A-Z]{2})$/.test(entry)), {
        message: 'expected a comma-separated list of calling codes (+44) or ISO country codes (GB)',
      }),
    SMS_PER_COUNTRY_PER_HOUR: positiveInt(500),
    UPSTREAM_ALLOW_HTTP: bool(false),
    REGISTRATION: z
      .enum(REGISTRATION_MODES, { message: `expected ${REGISTRATION_MODES.join(' or ')}` })
      .default('open'),
    TERMS_URL: url(['http', 'https']),
    TERMS_VERSION: z
      .string()
      .trim()
      .max(64, 'expected at most 64 characters')
      .optional()
      .transform((v) => v || undefined),
  })
  .refine((env) => env.TERMS_URL !== undefined || env.TERMS_VERSION === undefined, {
    path: ['TERMS_VERSION'],
    message: 'TERMS_URL must be set too (the terms people accept are the page it names)',
  })
  .transform((env) => {
    const production = env.NODE_ENV === 'production';
    const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    return {
      env: env.NODE_ENV,
      production,
      port: env.PORT,
      host: env.HOST,
      issuer,
      database: parseDatabaseUrl(
        env.DATABASE_URL,
        {
          size: env.DATABASE_POOL_SIZE,
          waitMs: env.DATABASE_POOL_WAIT_MS,
          queueLimit: env.DATABASE_POOL_QUEUE_LIMIT,
        },
        env.DATABASE_CLUSTER,
      ),
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      smsWebhookUrl: env.SMS_WEBHOOK_URL,
      cookieSecrets: env.COOKIE_SECRETS,
      /** Keys that seal the secrets Tessera reads back (keys/sealing.ts), newest first. */
      secretEncryptionKeys: env.SECRET_ENCRYPTION_KEYS,
      logLevel: env.LOG_LEVEL,
      demo: env.DEMO === undefined || env.DEMO === '' ? !production : ['true', '1', 'yes'].includes(env.DEMO),
      trustProxy: env.TRUST_PROXY,
      rateLimit: {
        perAccount: env.RATE_LIMIT_LOGIN,
        perIp: env.RATE_LIMIT_IP,
        windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      },
      argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_ITERATIONS },
      tenantSelfService: env.TENANT_SELF_SERVICE,
      tenantSelfServiceMax: env.TENANT_SELF_SERVICE_MAX,
      invitationQuotaPerHour: env.INVITATION_QUOTA_PER_HOUR,
      invitationPendingPerEmail: env.INVITATION_PENDING_PER_EMAIL,
      mailLimits: {
        perRecipientPerHour: env.MAIL_PER_RECIPIENT_PER_HOUR,
        perSenderPerHour: env.MAIL_PER_SENDER_PER_HOUR,
      },
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
      /** The first operator without a browser: this account (created with the password when given and missing). */
      bootstrapAdmin: env.TESSERA_BOOTSTRAP_ADMIN_EMAIL
        ? { email: env.TESSERA_BOOTSTRAP_ADMIN_EMAIL, password: env.TESSERA_BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
      /** Where the CLI keeps its operator credential (0600): beside the SQLite file, else under ./data. */
      cliCredentialsFile:
        env.TESSERA_CLI_CREDENTIALS ||
        join(
          env.DATABASE_URL.startsWith('sqlite:') ? dirname(sqliteFile(env.DATABASE_URL)) : './data',
          'cli-credentials.json',
        ),
      /** Where domain verification asks for TXT records: these servers, or the system's resolvers when empty. */
      dns: { servers: env.DNS_SERVERS, timeoutMs: env.DNS_TIMEOUT_MS },
      domainVerifyQuotaPerHour: env.DOMAIN_VERIFY_QUOTA_PER_HOUR,
      /** The sign-in page asks for the e-mail address alone first (home-realm discovery), then the password. */
      identityFirst: env.SIGN_IN_IDENTITY_FIRST,
      factors: {
        passkeys: env.PASSKEYS,
        emailCodes: env.EMAIL_CODES,
        /**
         * Sign-in and sign-up with an SMS code: by default on where an SMS can reach anyone (SMS_WEBHOOK_URL
         * set) and in development (codes readable on /dev/mail); off in production without a webhook.
         */
        smsCodes:
          env.SMS_CODES === undefined
            ? Boolean(env.SMS_WEBHOOK_URL) || !production
            : ['true', '1', 'yes'].includes(env.SMS_CODES),
        sms: {
          /** Calling codes (+44) and ISO countries (GB) codes may be sent to; empty: every country. */
          countries: env.SMS_COUNTRIES,
          perCountryPerHour: env.SMS_PER_COUNTRY_PER_HOUR,
        },
      },
      /**
       * Who may create an account: anyone (`open`), or only someone whose sign-in carries a valid invitation
       * (`invitation_only`; see accounts/registration-gate.ts).
       */
      registration: env.REGISTRATION,
      /** The terms of service each sign-up accepts and records (with their version), when TERMS_URL is set. */
      terms: env.TERMS_URL ? { url: env.TERMS_URL, version: env.TERMS_VERSION ?? '1' } : undefined,
      federation: {
        /** Upstream providers over plain http (tests, local development); never in production. */
        allowHttp: env.UPSTREAM_ALLOW_HTTP && !production,
      },
    };
  });

/** MySQL's connection pool: its size, how long a request may wait for a connection, and how many may wait. */
export interface PoolOptions {
  size: number;
  waitMs: number;
  queueLimit: number;
}

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql'; url: string; pool?: PoolOptions; cluster?: DatabaseCluster };
export type Config = z.output<typeof schema>;

const sqliteFile = (value: string) => value.slice('sqlite:'.length) || './data/tessera.sqlite';

function parseDatabaseUrl(value: string, pool: PoolOptions, cluster: DatabaseCluster): DatabaseConfig {
  if (value.startsWith('sqlite:')) return { kind: 'sqlite', file: sqliteFile(value) };
  return { kind: 'mysql', url: value.replace(/^mariadb:/, 'mysql:'), pool, cluster };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The process environment, with a `.env` file in the working directory loaded first when there is one. */
export function readEnvironment(file = '.env'): NodeJS.ProcessEnv {
  if (existsSync(file)) process.loadEnvFile(file); // never overrides variables already set
  return process.env;
}

/** Reads the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const got = env[name];
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got "${redactValue(name, got)}")`}`;
      }),
    );
  }
  return result.data;
}

function redactValue(name: string, value: string): string {
  if (/_KEY$/.test(name)) return '***'; // a key, even a malformed one, is not repeated in logs
  return /SECRET|URL|PASSWORD/.test(name) ? value.replace(/\/\/[^@/]*@/, '//***@').slice(0, 60) : value.slice(0, 60);
}
