import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsupportedRuntimeWarning } from './runtime.js';

test('the LTS lines from 22 on are supported: no warning', () => {
  assert.equal(unsupportedRuntimeWarning({ version: 'v22.23.3', lts: 'Jod' }), undefined);
  assert.equal(unsupportedRuntimeWarning({ version: 'v24.21.0', lts: 'Krypton' }), undefined);
});

test('Node 20, a current (non-LTS) release and anything older get a one-line warning that says what to run', () => {
  assert.equal(
    unsupportedRuntimeWarning({ version: 'v20.20.2', lts: 'Iron' }),
    'Node.js v20.20.2 is not a supported runtime (past its end of life): run Tessera on an LTS release of Node.js 22 or later (22 and 24 are tested).',
  );
  assert.match(
    unsupportedRuntimeWarning({ version: 'v25.2.0' })!,
    /^Node\.js v25\.2\.0 is not a supported runtime \(not an LTS release\)/,
  );
  assert.match(unsupportedRuntimeWarning({ version: 'v18.20.0', lts: 'Hydrogen' })!, /\(too old\)/);
  assert.doesNotMatch(unsupportedRuntimeWarning({ version: 'v20.20.2', lts: 'Iron' })!, /\n/);
});
