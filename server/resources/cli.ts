// The operator's commands for API resources: npm run tessera -- resources:… (server/cli.ts adds them).
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { SIGNING_ALGS, type SigningAlg } from '../keys/keys.js';
import { type ResourceView, ResourceService } from './service.js';

/** cli.ts's wrapper: opens the database, runs the action, turns errors into one line and exit code 1. */
export type WithDatabase = <A extends unknown[]>(
  action: (db: Database, ...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

const out = (line = '') => process.stdout.write(`${line}\n`);
const list = (value: string, previous: string[] = []) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];
const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('whole seconds');
  return n;
};
const alg = (value: string) => {
  if (!(SIGNING_ALGS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`one of ${SIGNING_ALGS.join(', ')}`);
  return value as SigningAlg;
};

function show(r: ResourceView): void {
  out(
    `${r.audience}  "${r.name}"  ${r.signingAlg}  ttl ${r.accessTokenTtl}s${r.isPublic ? '  public' : ''}  id ${r.id}`,
  );
  out(`    permissions: ${r.permissions.join(' ') || '(none)'}`);
}

/** Runs a service call; its typed errors become the command's one-line message. */
async function service<T>(
  db: Database,
  reserved: Reserved,
  act: (resources: ResourceService) => Promise<T>,
): Promise<T> {
  try {
    return await act(new ResourceService(db, reserved(loadConfig().issuer)));
  } catch (error) {
    if (error instanceof AppError) throw new InvalidArgumentError(error.description);
    throw error;
  }
}

/** The audiences no app may register, for an issuer (Tessera's own Management API). */
export type Reserved = (issuer: string) => string[];

export function resourceCommands(program: Command, withDatabase: WithDatabase, reserved: Reserved): void {
  program
    .command('resources:create')
    .description("register an app's API (an API resource): apps then get JWT access tokens for it")
    .requiredOption('--audience <uri>', "the resource indicator and the tokens' aud, e.g. https://api.example.com")
    .requiredOption('--name <name>', 'display name (the tenant admin page shows it)')
    .option('--permission <name>', 'a permission, e.g. invoices:read (repeat, or separate with commas)', list)
    .option('--ttl <seconds>', 'access-token lifetime, 60 to 86400 (default 900)', seconds)
    .option('--alg <alg>', `JWT signing algorithm: ${SIGNING_ALGS.join(' or ')} (default ES256)`, alg)
    .option('--public', "list its permissions in discovery's scopes_supported")
    .action(
      withDatabase(
        async (
          db,
          o: {
            audience: string;
            name: string;
            permission?: string[];
            ttl?: number;
            alg?: SigningAlg;
            public?: boolean;
          },
        ) => {
          const created = await service(db, reserved, (r) =>
            r.create({
              audience: o.audience,
              name: o.name,
              permissions: o.permission ?? [],
              accessTokenTtl: o.ttl,
              signingAlg: o.alg,
              isPublic: o.public,
            }),
          );
          show(created);
        },
      ),
    );

  program
    .command('resources:update <audience>')
    .description("change a resource; permissions left out leave every tenant's mapping")
    .option('--name <name>')
    .option('--permission <name>', 'the full new list of permissions (repeat, or separate with commas)', list)
    .option('--ttl <seconds>', 'access-token lifetime, 60 to 86400', seconds)
    .option('--alg <alg>', `JWT signing algorithm: ${SIGNING_ALGS.join(' or ')}`, alg)
    .option('--public', "list its permissions in discovery's scopes_supported")
    .option('--no-public', 'stop listing them')
    .action(
      withDatabase(
        async (
          db,
          audience: string,
          o: { name?: string; permission?: string[]; ttl?: number; alg?: SigningAlg; public?: boolean },
        ) => {
          const updated = await service(db, reserved, (r) =>
            r.update(audience, {
              name: o.name,
              permissions: o.permission,
              accessTokenTtl: o.ttl,
              signingAlg: o.alg,
              isPublic: o.public,
            }),
          );
          show(updated);
        },
      ),
    );

  program
    .command('resources:list')
    .description('list registered API resources')
    .action(
      withDatabase(async (db) => {
        const all = await service(db, reserved, (r) => r.list());
        if (!all.length) out('no API resources');
        for (const r of all) show(r);
      }),
    );

  program
    .command('resources:delete <audience>')
    .description("remove a resource and every tenant's mapping of it; issued tokens live until they expire")
    .action(
      withDatabase(async (db, audience: string) => {
        if (!(await service(db, reserved, (r) => r.remove(audience))))
          throw new InvalidArgumentError(`no resource "${audience}"`);
        out(`deleted ${audience}`);
      }),
    );
}
