// The operator's commands for API resources: npm run tessera -- resources:… (server/cli.ts adds them). Each is
// an operation of the operator API (resource-operations.ts), carried by the CLI's transport.
import { type Command, InvalidArgumentError } from 'commander';
import { SIGNING_ALGS, type SigningAlg } from '../keys/keys.js';
import { type Act, all, type Obj, type Printer, str } from './cli.js';
import { CommandFailed, type Transport } from './cli-transport.js';

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

function show(r: Obj, print: Printer): void {
  print.line(
    `${str(r.audience)}  "${str(r.name)}"  ${str(r.signing_alg)}  ttl ${str(r.access_token_ttl)}s${r.public ? '  public' : ''}  id ${str(r.id)}`,
  );
  print.line(`    permissions: ${(r.permissions as string[]).join(' ') || '(none)'}`);
}

/** The operator names a resource by its audience; the API by its id. */
async function idOf(t: Transport, audience: string): Promise<string> {
  const [found] = await all(t, 'resources.list', { audience });
  if (!found) throw new CommandFailed(`There is no resource with the audience ${audience}.`);
  return str(found.id);
}

interface Options {
  audience?: string;
  name?: string;
  permission?: string[];
  ttl?: number;
  alg?: SigningAlg;
  public?: boolean;
}

const fieldsOf = (o: Options) => ({
  name: o.name,
  permissions: o.permission,
  access_token_ttl: o.ttl,
  signing_alg: o.alg,
  public: o.public,
});

export function resourceCommands(program: Command, act: Act): void {
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
      act(async (t, print, o: Options) => {
        const created = (await t.call('resources.create', {
          body: { audience: o.audience, ...fieldsOf(o), permissions: o.permission ?? [] },
        })) as Obj;
        print.json(created);
        show(created, print);
      }),
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
      act(async (t, print, audience: string, o: Options) => {
        const changed = (await t.call('resources.update', {
          params: { resourceId: await idOf(t, audience) },
          body: fieldsOf(o),
        })) as Obj;
        print.json(changed);
        show(changed, print);
      }),
    );

  program
    .command('resources:list')
    .description('list registered API resources')
    .action(
      act(async (t, print) => {
        const resources = (await all(t, 'resources.list')).sort((a, b) =>
          str(a.audience).localeCompare(str(b.audience)),
        );
        print.json(resources);
        if (!resources.length) print.line('no API resources');
        for (const r of resources) show(r, print);
      }),
    );

  program
    .command('resources:delete <audience>')
    .description("remove a resource and every tenant's mapping of it; issued tokens live until they expire")
    .action(
      act(async (t, print, audience: string) => {
        await t.call('resources.delete', { params: { resourceId: await idOf(t, audience) } });
        print.json({ deleted: audience });
        print.line(`deleted ${audience}`);
      }),
    );
}
