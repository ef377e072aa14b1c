import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createTokenVerifier } from '../../../server/auth/token-verifier.js';

interface JwksServer {
  readonly url: URL;
  requests: number;
  keys: JWK[];
  close(): Promise<void>;
}

async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state = { requests: 0, keys };
  const server: Server = createServer((_req, res) => {
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: new URL(`http://127.0.0.1:${port}/jwks.json`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }, privateKey, kid };
}

function sign(key: { privateKey: CryptoKey; kid: string }, sub = 'alice') {
  return new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 60 })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .sign(key.privateKey);
}

test('remote JWKS: keys are cached, rotation is picked up after the cooldown', async () => {
  const first = await keyPair('key-1');
  const second = await keyPair('key-2');
  const jwks = await startJwksServer([first.jwk]);
  try {
    const verifier = await createTokenVerifier({
      jwksUrl: jwks.url,
      jwksCooldownMs: 300,
      jwksCacheMaxAgeMs: 60_000,
      clockToleranceSec: 0,
    });
    assert.equal((await verifier.verify(await sign(first))).subject, 'alice');
    await verifier.verify(await sign(first, 'bob'));
    assert.equal(jwks.requests, 1, 'the key set is fetched once and cached');

    jwks.keys = [first.jwk, second.jwk];
    await assert.rejects(verifier.verify(await sign(second)), { code: 'ERR_TOKEN_KEY_UNAVAILABLE' });
    assert.equal(jwks.requests, 1, 'an unknown kid within the cooldown does not refetch');

    await sleep(350);
    assert.equal((await verifier.verify(await sign(second))).subject, 'alice');
    assert.equal(jwks.requests, 2, 'an unknown kid after the cooldown refetches once');
    await verifier.verify(await sign(first));
    assert.equal(jwks.requests, 2);
  } finally {
    await jwks.close();
  }
});

test('remote JWKS: an unreachable key set makes the key unavailable', async () => {
  const jwks = await startJwksServer([]);
  const url = jwks.url;
  await jwks.close();
  const key = await keyPair('k');
  const verifier = await createTokenVerifier({ jwksUrl: url, jwksTimeoutMs: 1000, clockToleranceSec: 0 });
  await assert.rejects(verifier.verify(await sign(key)), { code: 'ERR_TOKEN_KEY_UNAVAILABLE' });
});

test('remote JWKS: HS256 tokens are refused', async () => {
  const key = await keyPair('k');
  const jwks = await startJwksServer([key.jwk]);
  try {
    const verifier = await createTokenVerifier({ jwksUrl: jwks.url, clockToleranceSec: 0 });
    const hs = await new SignJWT({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'k' })
      .sign(new TextEncoder().encode(JSON.stringify(key.jwk)));
    await assert.rejects(verifier.verify(hs), { code: 'ERR_TOKEN_ALGORITHM' });
    assert.equal(jwks.requests, 0, 'a refused algorithm costs no fetch');
  } finally {
    await jwks.close();
  }
});
