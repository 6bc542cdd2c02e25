import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConfigError, loadConfig, POOL_DEFAULTS } from './config.js';

test('with no environment, Tessera runs on port 3000 with an embedded SQLite file and the demo on', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.issuer, 'http://localhost:3000');
  assert.deepEqual(config.database, { kind: 'sqlite', file: './data/tessera.sqlite' });
  assert.equal(config.demo, true);
  assert.deepEqual(config.argon2, { memoryCost: 7168, timeCost: 5 });
});

test('ISSUER follows PORT by default, and a trailing slash is dropped', () => {
  assert.equal(loadConfig({ PORT: '8080' }).issuer, 'http://localhost:8080');
  assert.equal(loadConfig({ ISSUER: 'https://id.example.com/' }).issuer, 'https://id.example.com');
});

test('the demo is off in production unless asked for, and DEMO=false turns it off anywhere', () => {
  assert.equal(loadConfig({ NODE_ENV: 'production' }).demo, false);
  assert.equal(loadConfig({ NODE_ENV: 'production', DEMO: 'true' }).demo, true);
  assert.equal(loadConfig({ DEMO: 'false' }).demo, false);
});

test('SMS codes are on where an SMS can arrive: with a webhook, or outside production; SMS_CODES decides outright', () => {
  const hook = { SMS_WEBHOOK_URL: 'https://sms.example.com/send' };
  assert.equal(loadConfig({}).factors.smsCodes, true, 'development: codes on /dev/mail');
  assert.equal(loadConfig({ NODE_ENV: 'production' }).factors.smsCodes, false, 'production without a webhook');
  assert.equal(loadConfig({ NODE_ENV: 'production', ...hook }).factors.smsCodes, true);
  assert.equal(loadConfig({ NODE_ENV: 'production', SMS_CODES: 'true' }).factors.smsCodes, true);
  assert.equal(loadConfig({ ...hook, SMS_CODES: 'false' }).factors.smsCodes, false);
});

test('SMS_COUNTRIES takes calling codes and ISO country codes; anything else stops the start', () => {
  assert.deepEqual(loadConfig({}).factors.sms.countries, []);
  assert.deepEqual(loadConfig({ SMS_COUNTRIES: ' +44, de ,US' }).factors.sms.countries, ['+44', 'DE', 'US']);
  for (const bad of ['44', '+0', '+1234', 'GBR', 'G'])
    assert.throws(() => loadConfig({ SMS_COUNTRIES: bad }), /SMS_COUNTRIES: expected a comma-separated list/, bad);
});

test('mysql:// and mariadb:// URLs select MySQL', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: 'mariadb://u:p@db:3306/tessera' }).database, {
    kind: 'mysql',
    url: 'mysql://u:p@db:3306/tessera',
    pool: POOL_DEFAULTS,
    cluster: 'auto',
  });
});

test('every bad value is reported at once, naming the variable and what it expected', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: 'eighty',
        ISSUER: 'not a url',
        DATABASE_URL: 'postgres://x',
        LOG_LEVEL: 'loud',
        COOKIE_SECRETS: 'short',
        DEMO: 'maybe',
      }),
    (error: ConfigError) => {
      const text = error.message;
      for (const name of ['PORT', 'ISSUER', 'DATABASE_URL', 'LOG_LEVEL', 'COOKIE_SECRETS'])
        assert.match(text, new RegExp(`${name}: `));
      assert.match(text, /expected a URL \(http, https\)/);
      assert.match(text, /expected sqlite:<file path> or mysql:/);
      return true;
    },
  );
});

test('a password in a bad database URL is not echoed back', () => {
  assert.throws(
    () => loadConfig({ SMTP_URL: 'http://user:hunter2@mail' }),
    (error: ConfigError) => !error.message.includes('hunter2'),
  );
});

test('an ISSUER with a path is refused: every route is served at the root', () => {
  assert.throws(() => loadConfig({ ISSUER: 'https://example.com/auth' }), /ISSUER: expected an origin/);
});

test('REGISTRATION is open unless set to invitation_only; anything else stops the start, naming it', () => {
  assert.equal(loadConfig({}).registration, 'open');
  assert.equal(loadConfig({ REGISTRATION: 'invitation_only' }).registration, 'invitation_only');
  assert.throws(() => loadConfig({ REGISTRATION: 'closed' }), /REGISTRATION: expected open or invitation_only/);
});

test('TERMS_URL turns the terms on (version 1 unless TERMS_VERSION says); a version without a URL stops the start', () => {
  assert.equal(loadConfig({}).terms, undefined);
  assert.deepEqual(loadConfig({ TERMS_URL: 'https://example.com/terms' }).terms, {
    url: 'https://example.com/terms',
    version: '1',
  });
  assert.equal(
    loadConfig({ TERMS_URL: 'https://example.com/terms', TERMS_VERSION: '2026-01' }).terms?.version,
    '2026-01',
  );
  assert.throws(() => loadConfig({ TERMS_URL: 'javascript:alert(1)' }), /TERMS_URL: expected a URL/);
  assert.throws(() => loadConfig({ TERMS_VERSION: '3' }), /TERMS_VERSION: TERMS_URL must be set too/);
});
