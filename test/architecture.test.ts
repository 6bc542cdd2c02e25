// The import graph of server/, drawn as modules (a folder, or a single file at the top), against the
// directions DESIGN.md §3 sets: main/app → features → delivery → db, and nothing below a feature knows it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../server');

/** Every production source file of server/ (tests and test support excluded). */
function sources(dir = SERVER): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'test-support.ts'
      ? [path]
      : [];
  });
}

const moduleOf = (file: string) => {
  const [first, ...rest] = relative(SERVER, file).split(sep);
  return rest.length ? first! : first!.replace(/\.ts$/, '');
};

/** module -> the modules it imports (value and type imports alike: a type import is a dependency too). */
function moduleGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources()) {
    const from = moduleOf(file);
    const targets = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), spec!).replace(/\.js$/, '.ts');
      if (!target.startsWith(SERVER + sep)) continue;
      const to = moduleOf(target);
      if (to !== from) targets.add(to);
    }
  }
  return graph;
}

function reachable(graph: Map<string, Set<string>>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    for (const next of graph.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

const graph = moduleGraph();
const importsOf = (module: string) => [...(graph.get(module) ?? [])].sort();

test('no module imports one that imports it back, directly or through others', () => {
  const loops = [...graph].flatMap(([from, targets]) =>
    [...targets].filter((to) => reachable(graph, to).has(from)).map((to) => `${from} → ${to}`),
  );
  assert.deepEqual(loops, []);
});

test('the layers below the features know no feature', () => {
  const below: Record<string, string[]> = {
    errors: [],
    config: [],
    db: ['config', 'errors'],
    keys: ['db'],
    'first-use': [],
    delivery: ['config', 'db', 'errors', 'first-use', 'page', 'render'],
    interaction: ['errors'],
  };
  for (const [module, allowed] of Object.entries(below)) {
    const extra = importsOf(module).filter((m) => !allowed.includes(m));
    assert.deepEqual(extra, [], `${module} may import only ${allowed.join(', ') || 'nothing of server/'}`);
  }
});

test('features import each other only the way DESIGN.md §3 draws it', () => {
  const forbidden: Record<string, string[]> = {
    accounts: ['tenants', 'invitations', 'oidc', 'operators', 'resources', 'webhooks', 'federation', 'factors'],
    tenants: ['invitations', 'oidc', 'accounts', 'operators', 'resources', 'webhooks', 'federation', 'factors'],
    invitations: ['oidc', 'operators', 'resources', 'webhooks', 'factors', 'federation'],
    oidc: ['invitations', 'operators', 'webhooks', 'factors', 'federation'],
    resources: ['oidc', 'invitations', 'accounts', 'operators', 'webhooks', 'factors', 'federation'],
    // Operators sit above the features they administer; app.ts and cli.ts wire them, never the reverse.
    operators: ['app', 'cli', 'main'],
    // Webhooks hear of changes through the audit listener (db/audit.ts), so no feature calls them, and they
    // need no feature but tenants (its permission rules).
    webhooks: ['accounts', 'invitations', 'oidc', 'operators', 'resources'],
    // factors/ reaches the sign-in through the interaction kit, handed in by app.ts.
    factors: ['oidc', 'invitations', 'federation'],
    // Federation reaches accounts and tenants through their services and functions, the provider only through kit.
    federation: ['oidc', 'invitations', 'factors'],
  };
  for (const [module, never] of Object.entries(forbidden)) {
    const found = importsOf(module).filter((m) => never.includes(m));
    assert.deepEqual(found, [], `${module} must not import ${never.join(', ')}`);
  }
});

test('signing keys come from keys/, never from the protocol module', () => {
  const viaOidc = sources().filter(
    (file) => moduleOf(file) !== 'oidc' && /from '[./]*oidc\/keys\.js'/.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(
    viaOidc.map((f) => relative(SERVER, f)),
    [],
  );
});
