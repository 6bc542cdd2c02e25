// Invitation tokens alone: what a signed token holds, and every way a forged or mangled one is refused.
// No database: the keys are generated here, in the shapes loadKeys() gives them.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { KeySet, type PublishedKey, type SigningAlg } from '../keys/keys.js';
import {
  INVITATION_TYP,
  InvitationTokenError,
  signInvitationToken,
  verifyInvitationToken,
  type TokenProblem,
} from './token.js';

const ISSUER = 'https://id.tessera.test';

function key(
  alg: SigningAlg,
  status: PublishedKey['status'],
  kid = randomBytes(12).toString('base64url'),
): PublishedKey {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg,
    status,
    privateJwk: privateKey.export({ format: 'jwk' }),
    privateKey,
    publicKey: createPublicKey(privateKey),
  };
}

const es = key('ES256', 'current');
const rs = key('RS256', 'current');
const keys = new KeySet([es, rs]);

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (token: string) => {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
    h: h!,
    p: p!,
    s: s!,
  };
};

const claims = (overrides: Partial<{ inv: string; jti: string; tid: string; roles: string[]; exp: number }> = {}) => ({
  inv: crypto.randomUUID(),
  jti: crypto.randomUUID(),
  tid: crypto.randomUUID(),
  roles: ['tenant-user'],
  exp: Math.floor(Date.now() / 1000) + 3600,
  ...overrides,
});

/** A well-formed payload as Tessera would sign it, for hand-made tokens. */
const payloadOf = (overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: ISSUER, ...claims(), iat: now, ...overrides };
};

/** Signs any payload with any key and header, bypassing signInvitationToken's fixed choices. */
const forge = (payload: object, signer: { alg: string; privateKey: KeyObject }, header: Record<string, unknown>) =>
  jwt.sign(payload, signer.privateKey, {
    algorithm: signer.alg as jwt.Algorithm,
    header: { alg: signer.alg, ...header } as jwt.JwtHeader,
  });

/** Signs ES256 by hand, for payloads jsonwebtoken would refuse to sign. */
const rawEs256 = (header: object, payload: object, signer: PublishedKey) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};

const hs256 = (header: object, payload: object, secret: string | Buffer) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

function refused(token: string, problem: TokenProblem, set: KeySet = keys, issuer = ISSUER): void {
  assert.throws(
    () => verifyInvitationToken(set, issuer, token),
    (error: unknown) => {
      assert.ok(error instanceof InvitationTokenError, `expected an InvitationTokenError, got ${String(error)}`);
      assert.equal(error.problem, problem, `${token.slice(0, 40)}…`);
      return true;
    },
  );
}

describe('invitation tokens', () => {
  test('a signed token verifies to its claims, with exactly the header and claims of the design and no personal data', () => {
    const input = claims({ roles: ['tenant-admin', 'billing'] });
    const token = signInvitationToken(keys, ISSUER, input);
    assert.deepEqual(verifyInvitationToken(keys, ISSUER, token), input);
    const { header, payload } = parts(token);
    assert.deepEqual(header, { alg: 'ES256', kid: es.kid, typ: 'tessera-invitation+jwt' });
    assert.equal(header.typ, INVITATION_TYP);
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'inv', 'iss', 'jti', 'roles', 'tid']);
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.aud, ISSUER);
    assert.equal(payload.jti, input.jti);
    assert.equal(payload.inv, input.inv);
    assert.equal(payload.tid, input.tid);
    assert.deepEqual(payload.roles, input.roles);
    assert.equal(payload.exp, input.exp);
    assert.ok(Math.abs((payload.iat as number) - Date.now() / 1000) < 5, 'iat is now');
    assert.ok(!('sub' in payload) && !('email' in payload), 'no sub, no e-mail');
  });

  test('a tampered payload is invalid (more roles, another tenant, a later expiry)', () => {
    const token = signInvitationToken(keys, ISSUER, claims());
    const { h, p, s, payload } = parts(token);
    for (const change of [
      { roles: ['tenant-admin'] },
      { tid: crypto.randomUUID() },
      { exp: (payload.exp as number) + 86400 },
    ]) {
      refused(`${h}.${b64({ ...payload, ...change })}.${s}`, 'invalid');
    }
    refused(`${h}.${p}.${s.slice(0, -4)}AAAA`, 'invalid');
    refused(`${h}.${p}.`, 'invalid');
  });

  test('a signature by another key under a published kid is invalid', () => {
    const impostor = key('ES256', 'current', es.kid);
    refused(forge(payloadOf(), impostor, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    const rsImpostor = key('RS256', 'current', rs.kid);
    refused(forge(payloadOf(), rsImpostor, { kid: rs.kid, typ: INVITATION_TYP }), 'invalid');
  });

  test('alg none is invalid, with or without a kid and signature', () => {
    const p = b64(payloadOf());
    refused(`${b64({ alg: 'none', typ: INVITATION_TYP })}.${p}.`, 'invalid');
    refused(`${b64({ alg: 'none', kid: es.kid, typ: INVITATION_TYP })}.${p}.`, 'invalid');
    refused(`${b64({ alg: 'NONE', kid: es.kid, typ: INVITATION_TYP })}.${p}.`, 'invalid');
    const real = parts(signInvitationToken(keys, ISSUER, claims()));
    refused(`${b64({ alg: 'none', kid: es.kid, typ: INVITATION_TYP })}.${real.p}.${real.s}`, 'invalid');
  });

  test('key confusion: HS256 signed with the public key (PEM, JWK, DER) as the HMAC secret is invalid', () => {
    const payload = payloadOf();
    for (const published of [es, rs]) {
      const secrets: (string | Buffer)[] = [
        published.publicKey.export({ format: 'pem', type: 'spki' }) as string,
        JSON.stringify(published.publicKey.export({ format: 'jwk' })),
        published.publicKey.export({ format: 'der', type: 'spki' }),
      ];
      for (const secret of secrets) {
        for (const alg of ['HS256', 'hs256'])
          refused(hs256({ alg, kid: published.kid, typ: INVITATION_TYP }, payload, secret), 'invalid');
      }
    }
  });

  test('an unknown kid, no kid, or a kid of the other algorithm is invalid', () => {
    refused(forge(payloadOf(), es, { kid: 'no-such-kid', typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf(), es, { typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf(), es, { kid: '', typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf(), es, { kid: rs.kid, typ: INVITATION_TYP }), 'invalid', keys);
    refused(forge(payloadOf(), rs, { kid: es.kid, typ: INVITATION_TYP }), 'invalid', keys);
  });

  test('another typ (JWT, at+jwt, none at all, another case) is invalid: an access token is not an invitation', () => {
    for (const typ of ['JWT', 'at+jwt', 'application/at+jwt', 'TESSERA-INVITATION+JWT', 'tessera-invitation']) {
      refused(forge(payloadOf(), es, { kid: es.kid, typ }), 'invalid');
    }
    const withoutTyp = jwt.sign(payloadOf(), es.privateKey, { algorithm: 'ES256', keyid: es.kid, noTimestamp: true });
    const { header, p, s } = parts(withoutTyp);
    refused(`${b64({ alg: header.alg, kid: header.kid })}.${p}.${s}`, 'invalid');
  });

  test('a wrong audience or issuer is invalid, also when missing', () => {
    refused(forge(payloadOf({ aud: 'https://elsewhere.test' }), es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf({ aud: `${ISSUER}/api` }), es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf({ iss: 'https://elsewhere.test' }), es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    refused(forge(payloadOf({ iss: `${ISSUER}/` }), es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    const { aud: _a, ...noAud } = payloadOf();
    refused(forge(noAud, es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    const { iss: _i, ...noIss } = payloadOf();
    refused(forge(noIss, es, { kid: es.kid, typ: INVITATION_TYP }), 'invalid');
    const token = signInvitationToken(keys, ISSUER, claims());
    refused(token, 'invalid', keys, 'https://other-tessera.test');
  });

  test('an expired token is expired, not invalid; one that is also forged is invalid', () => {
    const exp = Math.floor(Date.now() / 1000) - 10;
    refused(signInvitationToken(keys, ISSUER, claims({ exp })), 'expired');
    refused(
      forge(payloadOf({ exp }), key('ES256', 'current', es.kid), { kid: es.kid, typ: INVITATION_TYP }),
      'invalid',
    );
  });

  test('a token without its claims (inv, jti, tid, roles, exp) or with malformed ones is invalid', () => {
    const base = payloadOf();
    const variants: Record<string, unknown>[] = [
      { ...base, inv: undefined },
      { ...base, jti: undefined },
      { ...base, tid: undefined },
      { ...base, roles: undefined },
      { ...base, exp: undefined },
      { ...base, inv: 42 },
      { ...base, inv: '' },
      { ...base, inv: 'x'.repeat(65) },
      { ...base, roles: 'tenant-admin' },
      { ...base, roles: [1] },
    ];
    const header = { alg: 'ES256', kid: es.kid, typ: INVITATION_TYP };
    for (const payload of variants) refused(rawEs256(header, payload, es), 'invalid');
    assert.ok(verifyInvitationToken(keys, ISSUER, rawEs256(header, base, es)), 'the hand-made signature is right');
    refused(rawEs256(header, { ...base, exp: String(base.exp) }, es), 'invalid');
    refused(rawEs256(header, { ...base, exp: null }, es), 'invalid');
  });

  test('a token over 4096 characters is malformed, even when correctly signed', () => {
    const big = forge(payloadOf({ padding: 'x'.repeat(4000) }), es, { kid: es.kid, typ: INVITATION_TYP });
    assert.ok(big.length > 4096, 'the token is over 4096 characters');
    refused(big, 'malformed');
    refused('a'.repeat(100_000), 'malformed');
  });

  test('garbage is malformed', () => {
    for (const garbage of [
      '',
      'garbage',
      'abc.def',
      'a.b.c',
      '...',
      `${b64('not json')}.${b64('{}')}.x`,
      `${b64({ alg: 'ES256' })}.${b64('"a string"')}.x`,
    ]) {
      refused(garbage, 'malformed');
    }
  });

  test('both published algorithms verify: a token signed with the current RS256 key is accepted', () => {
    const input = claims();
    const token = forge({ iss: ISSUER, aud: ISSUER, ...input }, rs, { kid: rs.kid, typ: INVITATION_TYP });
    assert.equal(parts(token).header.alg, 'RS256');
    assert.deepEqual(verifyInvitationToken(keys, ISSUER, token), input);
    refused(
      forge(
        { iss: ISSUER, aud: ISSUER, ...input },
        { alg: 'RS384', privateKey: rs.privateKey },
        { kid: rs.kid, typ: INVITATION_TYP },
      ),
      'invalid',
    );
    refused(
      forge(
        { iss: ISSUER, aud: ISSUER, ...input },
        { alg: 'PS256', privateKey: rs.privateKey },
        { kid: rs.kid, typ: INVITATION_TYP },
      ),
      'invalid',
    );
  });

  test('after a rotation, a token signed with the previous key verifies while that key is published, and not once it is retired', () => {
    const old = key('ES256', 'current');
    const oldRs = key('RS256', 'current');
    const input = claims();
    const token = signInvitationToken(new KeySet([old, oldRs]), ISSUER, input);

    // Introduced: a `next` key is published but does not sign yet.
    const next = key('ES256', 'next');
    const introduced = new KeySet([old, oldRs, next, key('RS256', 'next')]);
    assert.equal(parts(signInvitationToken(introduced, ISSUER, claims())).header.kid, old.kid, 'only current signs');
    assert.deepEqual(verifyInvitationToken(introduced, ISSUER, token), input);
    // A token signed with the next key (another instance already promoted it) verifies too.
    const early = forge({ iss: ISSUER, aud: ISSUER, ...claims() }, next, { kid: next.kid, typ: INVITATION_TYP });
    assert.ok(verifyInvitationToken(introduced, ISSUER, early), 'a next key verifies');

    // Promoted: the old key is `previous`, still published.
    const promoted = new KeySet([
      { ...old, status: 'previous' },
      { ...oldRs, status: 'previous' },
      { ...next, status: 'current' },
      key('RS256', 'current'),
    ]);
    assert.deepEqual(verifyInvitationToken(promoted, ISSUER, token), input);
    const fresh = signInvitationToken(promoted, ISSUER, claims());
    assert.equal(parts(fresh).header.kid, next.kid, 'the promoted key signs new tokens');

    // Retired: the previous key is gone from the set, so its tokens are refused.
    const retired = new KeySet(promoted.keys.filter((k) => k.status !== 'previous'));
    refused(token, 'invalid', retired);
    assert.ok(verifyInvitationToken(retired, ISSUER, fresh), 'the current key verifies');
  });
});
