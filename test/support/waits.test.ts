// The bounded waits fail with a message that names what never happened, and never hang.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fetchWithin, ProcessWatch, runWithin, within } from './waits.js';

const node = (code: string) => spawn(process.execPath, ['-e', code]);

test('within passes a value through, and rejects with what it waited for when the promise never settles', async () => {
  assert.equal(await within(1000, 'a quick answer', Promise.resolve(42)), 42);
  await assert.rejects(
    within(50, 'the moon', new Promise(() => {})),
    /^Error: timed out after 0\.05 s waiting for the moon$/,
  );
});

test('waitForOutput resolves on the awaited line, and rejects with the output so far when it never comes', async () => {
  const watch = new ProcessWatch(
    node("console.log('starting'); setTimeout(() => console.log('ready'), 50); setTimeout(() => {}, 5000)"),
    'the sleeper',
  );
  await watch.waitForOutput(/ready/, 5000);
  await assert.rejects(
    watch.waitForOutput(/never printed/, 100),
    /timed out after 0\.1 s waiting for the sleeper to print \/never printed\/; its output so far:\nstarting\nready/,
  );
  watch.child.kill();
});

test('waitForOutput rejects at once when the process exits without printing the line', async () => {
  const watch = new ProcessWatch(node("console.error('cannot start'); process.exit(3)"), 'the failing server');
  await assert.rejects(
    watch.waitForOutput(/ready/, 5000),
    /the failing server exited \(3\) before printing \/ready\/:\ncannot start/,
  );
});

test('waitForExit gives the exit code, and kills a process that does not exit in time', async () => {
  assert.equal(await new ProcessWatch(node('process.exit(7)'), 'a quitter').waitForExit(5000), 7);
  const stuck = new ProcessWatch(node('setInterval(() => {}, 1000)'), 'the stuck process');
  await assert.rejects(stuck.waitForExit(100), /timed out after 0\.1 s waiting for the stuck process to exit/);
  assert.equal(await stuck.waitForExit(5000), 'SIGKILL');
});

test('runWithin returns the output of a command, and kills one that runs too long', async () => {
  assert.equal((await runWithin(10_000, process.execPath, ['-e', "process.stdout.write('hi')"])).stdout, 'hi');
  await assert.rejects(
    runWithin(10_000, process.execPath, ['-e', 'process.exit(2)']),
    (error: { code: number }) => error.code === 2,
  );
  await assert.rejects(
    runWithin(3000, process.execPath, ['-e', "console.log('busy'); setInterval(() => {}, 1000)"]),
    /timed out after 3 s waiting for `.+ -e .+` to finish; its output:\nbusy/,
  );
});

test('fetchWithin says which request got no answer in time', async () => {
  const silent = createServer(() => {}); // accepts the request and never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/readyz`;
  try {
    await assert.rejects(
      fetchWithin(url, {}, 100),
      new RegExp(`timed out after 0\\.1 s waiting for an answer to GET ${url}`),
    );
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});
