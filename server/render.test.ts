import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { translateSubject } from './render.js';

// The outbox's subject column (migrations/1732200000000-foundation.ts).
const SUBJECT_COLUMN = 300;
const catalogue = JSON.parse(readFileSync(new URL('../views/locales/en.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

test('every mail subject in the catalogue fits the outbox column, whatever the names in it', () => {
  const subjects = Object.keys(catalogue).filter((key) => /^mail\..*\.subject$/.test(key));
  assert.ok(subjects.length > 0);
  for (const name of ['x'.repeat(10_000), '😀'.repeat(5_000)]) {
    for (const key of subjects) {
      const params = Object.fromEntries(
        [...catalogue[key]!.matchAll(/\{(\w+)\}/g)].map(([, placeholder]) => [placeholder, name]),
      );
      assert.ok(translateSubject('en', key, params).length <= SUBJECT_COLUMN, key);
    }
  }
});

test('a long name in a subject ends with an ellipsis and never splits a character', () => {
  const subject = translateSubject('en', 'mail.invitation.subject', {
    inviter: 'Ann',
    tenant: `${'a'.repeat(78)}😀😀`,
  });
  assert.equal(subject, `Ann invited you to join ${'a'.repeat(78)}…`);
  assert.equal(
    translateSubject('en', 'mail.invitation.subject', { inviter: 'Ann', tenant: 'Acme' }),
    'Ann invited you to join Acme',
  );
});
