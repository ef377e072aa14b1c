import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { checkSameSubject, createTokenVerifier } from '../../../server/auth/token-verifier.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';
const dir = mkdtempSync(join(tmpdir(), 'warren-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const now = () => Math.floor(Date.now() / 1000);

function sign(alg: string, key: Uint8Array | KeyObject | CryptoKey, claims: JWTPayload = {}, header = {}) {
  const jwt = new SignJWT({ sub: 'alice', exp: now() + 60, ...claims }).setProtectedHeader({ alg, ...header });
  return jwt.sign(key);
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

const secretBytes = new TextEncoder().encode(SECRET);

test('HS256 token with the shared secret verifies', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const exp = now() + 120;
  const verified = await verifier.verify(await sign('HS256', secretBytes, { exp, scope: 'rabbitmq.read:*/*' }));
  assert.equal(verified.subject, 'alice');
  assert.equal(verified.expiresAt, exp * 1000);
  assert.equal(verified.algorithm, 'HS256');
  assert.equal(verified.claims['scope'], 'rabbitmq.read:*/*');
  assert.deepEqual(verifier.algorithms, ['HS256', 'HS384', 'HS512']);
  await verifier.verify(await sign('HS512', secretBytes));
});

for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const) {
  test(`${alg} token verifies with a PEM public key and with a JWK file`, async () => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const pem = file(`${alg}.pem`, await exportSPKI(publicKey));
    const jwk = file(`${alg}.jwk.json`, JSON.stringify({ ...(await exportJWK(publicKey)), alg }));
    const token = await sign(alg, privateKey);
    for (const publicKeyFile of [pem, jwk]) {
      const verifier = await createTokenVerifier({ publicKeyFile, clockToleranceSec: 0 });
      assert.equal((await verifier.verify(token)).subject, 'alice');
      assert.ok(!verifier.algorithms.some((a) => a.startsWith('HS')));
    }
  });
}

test('a JWK Set file selects the key by kid', async () => {
  const a = await generateKeyPair('ES256', { extractable: true });
  const b = await generateKeyPair('RS256', { extractable: true });
  const keys = [
    { ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'ES256' },
    { ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'RS256' },
  ];
  const verifier = await createTokenVerifier({
    publicKeyFile: file('set.json', JSON.stringify({ keys })),
    clockToleranceSec: 0,
  });
  assert.equal((await verifier.verify(await sign('RS256', b.privateKey, {}, { kid: 'b' }))).algorithm, 'RS256');
  await assert.rejects(verifier.verify(await sign('RS256', b.privateKey, {}, { kid: 'zz' })), {
    code: 'ERR_TOKEN_KEY_UNAVAILABLE',
  });
});

test('expired tokens and tokens not valid yet are refused; clock tolerance is honoured', async () => {
  const strict = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const lenient = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 30 });
  const expired = await sign('HS256', secretBytes, { exp: now() - 10 });
  const future = await sign('HS256', secretBytes, { nbf: now() + 10 });
  await assert.rejects(strict.verify(expired), { code: 'ERR_TOKEN_EXPIRED', claim: 'exp' });
  await assert.rejects(strict.verify(future), { code: 'ERR_TOKEN_NOT_YET_VALID', claim: 'nbf' });
  await lenient.verify(expired);
  await lenient.verify(future);
  await assert.rejects(lenient.verify(await sign('HS256', secretBytes, { exp: now() - 60 })), {
    code: 'ERR_TOKEN_EXPIRED',
  });
});

test('a token signed with another key is refused', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const other = new TextEncoder().encode('another-secret-that-is-long-enough-too');
  await assert.rejects(verifier.verify(await sign('HS256', other)), { code: 'ERR_TOKEN_SIGNATURE' });

  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const intruder = await generateKeyPair('RS256');
  const rsa = await createTokenVerifier({
    publicKeyFile: file('rsa-wrong.pem', await exportSPKI(publicKey)),
    clockToleranceSec: 0,
  });
  await assert.rejects(rsa.verify(await sign('RS256', intruder.privateKey)), { code: 'ERR_TOKEN_SIGNATURE' });
});

test('alg none is refused', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub: 'alice', exp: now() + 60 }));
  await assert.rejects(verifier.verify(`${header}.${payload}.`), { code: 'ERR_TOKEN_ALGORITHM' });
});

test('HS256 signed with the RSA public key PEM as the secret is refused', async () => {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const pem = await exportSPKI(publicKey);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub: 'mallory', exp: now() + 60 }));
  const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
  const forged = `${header}.${payload}.${signature}`;
  const rsaOnly = await createTokenVerifier({ publicKeyFile: file('confusion.pem', pem), clockToleranceSec: 0 });
  await assert.rejects(rsaOnly.verify(forged), { code: 'ERR_TOKEN_ALGORITHM' });
  // With a secret configured too, HS256 is checked against the secret, never the public key.
  const both = await createTokenVerifier({
    secret: SECRET,
    publicKeyFile: file('confusion2.pem', pem),
    clockToleranceSec: 0,
  });
  await assert.rejects(both.verify(forged), { code: 'ERR_TOKEN_SIGNATURE' });
});

test('algorithm allowlist is enforced and must fit the keys', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, algorithms: ['HS512'], clockToleranceSec: 0 });
  await assert.rejects(verifier.verify(await sign('HS256', secretBytes)), { code: 'ERR_TOKEN_ALGORITHM' });
  await verifier.verify(await sign('HS512', secretBytes));
  await assert.rejects(createTokenVerifier({ secret: SECRET, algorithms: ['RS256'], clockToleranceSec: 0 }), {
    code: 'ERR_CONFIG',
    option: 'jwt-algorithms',
  });
  await assert.rejects(createTokenVerifier({ clockToleranceSec: 0 }), { code: 'ERR_CONFIG' });
});

test('issuer and audience are checked when configured', async () => {
  const verifier = await createTokenVerifier({
    secret: SECRET,
    issuer: ['https://idp.example'],
    audience: ['warren'],
    clockToleranceSec: 0,
  });
  await verifier.verify(await sign('HS256', secretBytes, { iss: 'https://idp.example', aud: ['other', 'warren'] }));
  await assert.rejects(verifier.verify(await sign('HS256', secretBytes, { iss: 'https://evil', aud: 'warren' })), {
    code: 'ERR_TOKEN_CLAIM',
    claim: 'iss',
  });
  await assert.rejects(verifier.verify(await sign('HS256', secretBytes, { iss: 'https://idp.example', aud: 'x' })), {
    code: 'ERR_TOKEN_CLAIM',
    claim: 'aud',
  });
  await assert.rejects(verifier.verify(await sign('HS256', secretBytes, { aud: 'warren' })), {
    code: 'ERR_TOKEN_CLAIM',
    claim: 'iss',
  });
});

test('sub and exp are required', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const noSub = await new SignJWT({ exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(secretBytes);
  const noExp = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(secretBytes);
  const emptySub = await sign('HS256', secretBytes, { sub: '' });
  await assert.rejects(verifier.verify(noSub), { code: 'ERR_TOKEN_CLAIM', claim: 'sub' });
  await assert.rejects(verifier.verify(noExp), { code: 'ERR_TOKEN_CLAIM', claim: 'exp' });
  await assert.rejects(verifier.verify(emptySub), { code: 'ERR_TOKEN_CLAIM', claim: 'sub' });
});

test('garbage is refused as malformed, and reasons never echo the token', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  await assert.rejects(verifier.verify(''), { code: 'ERR_TOKEN_MISSING' });
  // Correctly signed, but the payload is not JSON: only the signature check passes.
  const signedInput = `${base64url('{"alg":"HS256"}')}.${base64url('not json')}`;
  const signedGarbage = `${signedInput}.${createHmac('sha256', SECRET).update(signedInput).digest('base64url')}`;
  const garbage = ['hello', 'a.b', 'a.b.c.d', '!!.??.##', signedGarbage, 'x'.repeat(20_000)];
  for (const token of garbage) {
    await assert.rejects(
      verifier.verify(token),
      (error: { code: string; reason: string }) =>
        error.code === 'ERR_TOKEN_MALFORMED' && !error.reason.includes(token),
      token.slice(0, 40),
    );
  }
});

test('bad public key files are a configuration error', async () => {
  await assert.rejects(createTokenVerifier({ publicKeyFile: file('junk.pem', 'junk'), clockToleranceSec: 0 }), {
    code: 'ERR_CONFIG',
    option: 'jwt-public-key',
  });
  await assert.rejects(
    createTokenVerifier({
      publicKeyFile: file('oct.json', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' })),
      clockToleranceSec: 0,
    }),
    { code: 'ERR_CONFIG', option: 'jwt-public-key' },
  );
});

test('checkSameSubject refuses a refreshed token for another user', async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
  const bob = await verifier.verify(await sign('HS256', secretBytes, { sub: 'bob' }));
  checkSameSubject('bob', bob);
  assert.throws(() => checkSameSubject('alice', bob), { code: 'ERR_TOKEN_SUBJECT_MISMATCH' });
});

test('the jwt part of a loaded gateway config is a verifier configuration', async () => {
  const { loadConfig } = await import('../../../server/config/load-config.js');
  const config = loadConfig(['--jwt-secret', SECRET, '--jwt-audience', 'warren', '--jwt-clock-tolerance', '0s'], {});
  const verifier = await createTokenVerifier(config.jwt);
  await verifier.verify(await sign('HS256', secretBytes, { aud: 'warren' }));
  await assert.rejects(verifier.verify(await sign('HS256', secretBytes, { aud: 'other' })), {
    code: 'ERR_TOKEN_CLAIM',
    claim: 'aud',
  });
});
