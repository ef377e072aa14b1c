import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { ReplyCode } from '../../shared/index.js';
import { startBareGateway, type BareGateway } from '../helpers/bare-gateway.js';
import { countGatewayConnections } from '../helpers/broker.js';
import { ALL_SCOPES, signToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { metricValue } from '../helpers/http.js';
import { authenticate, handshake, RawClient, UpgradeRefused } from '../helpers/raw-client.js';

const ISSUER = 'https://issuer.warren.test';
const AUDIENCE = 'warren-tests';
/** A subject of this file's own, so broker connections can be counted by name. */
const SUB = `mallory-${randomBytes(4).toString('hex')}`;
const CONNECTS = 'warren_broker_connect_seconds_count';

let gw: TestGateway;
let rsaGw: BareGateway;
let keyDir: string;
let publicPem: string;
let privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'];

before(async () => {
  gw = await startTestGateway(['--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE]);
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  keyDir = mkdtempSync(join(tmpdir(), 'warren-keys-'));
  writeFileSync(join(keyDir, 'public.pem'), publicPem);
  rsaGw = await startBareGateway(['--jwt-public-key', join(keyDir, 'public.pem')]);
});
after(async () => {
  await gw.stop();
  await rsaGw.stop();
  rmSync(keyDir, { recursive: true, force: true });
});

const good = { sub: SUB, iss: ISSUER, aud: AUDIENCE };
const now = () => Math.floor(Date.now() / 1000);

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Presents `jwt` as the PLAIN password; resolves with the close's reply code, or 'tune' if it was accepted. */
async function outcomeOf(url: string, jwt: string): Promise<number | 'tune'> {
  const client = await RawClient.connect(url);
  try {
    const answer = await authenticate(client, jwt);
    if (answer.name === 'connection.tune') return 'tune';
    client.closeOk();
    return answer.args.replyCode;
  } finally {
    client.terminate();
  }
}

const badTokens: [string, () => Promise<string>][] = [
  ['expired', () => gw.token({ ...good, expiresIn: -600 })],
  ['not yet valid (nbf)', () => gw.token({ ...good, nbf: now() + 600 })],
  ['signed with another key', () => signToken(randomBytes(32).toString('hex'), good)],
  [
    'alg: none',
    () =>
      Promise.resolve(
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...good, scope: ALL_SCOPES, exp: now() + 600 })}.`,
      ),
  ],
  ['from another issuer', () => gw.token({ ...good, iss: 'https://evil.example' })],
  ['for another audience', () => gw.token({ ...good, aud: 'someone-else' })],
  ['garbage', () => Promise.resolve('not.a.jwt')],
  ['empty', () => Promise.resolve('')],
];

test('a good token is accepted (the control: the checks below can tell)', async () => {
  const before = await metricValue(gw.port, CONNECTS);
  assert.equal(await outcomeOf(gw.url, await gw.token(good)), 'tune');
  assert.equal(await metricValue(gw.port, CONNECTS), before + 1);
});

for (const [what, make] of badTokens) {
  test(`a token ${what} is refused with connection.close 403 and no broker connection`, async () => {
    const before = await metricValue(gw.port, CONNECTS);
    assert.equal(await outcomeOf(gw.url, await make()), ReplyCode.AccessRefused);
    assert.equal(await metricValue(gw.port, CONNECTS), before, 'no broker connection was made');
  });
}

test('with an RSA public key configured, RS256 passes and HS256 "signed" with the public PEM is refused', async () => {
  const rs256 = await new SignJWT({ scope: ALL_SCOPES })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(SUB)
    .setExpirationTime(now() + 600)
    .sign(privateKey);
  assert.equal(await outcomeOf(rsaGw.url, rs256), 'tune');
  const connectsBefore = await metricValue(rsaGw.port, CONNECTS);

  const confused = await signToken(publicPem, { sub: SUB });
  assert.equal(await outcomeOf(rsaGw.url, confused), ReplyCode.AccessRefused);
  assert.equal(await metricValue(rsaGw.port, CONNECTS), connectsBefore);
});

test('a bad token at the upgrade gets HTTP 401 and no broker connection', async () => {
  const before = await metricValue(gw.port, CONNECTS);
  for (const [, make] of badTokens.slice(0, 3)) {
    const jwt = await make();
    await assert.rejects(
      RawClient.connect(`${gw.url}?access_token=${encodeURIComponent(jwt)}`),
      (err: unknown) => err instanceof UpgradeRefused && err.status === 401,
    );
    await assert.rejects(
      RawClient.connect(gw.url, { headers: { authorization: `Bearer ${jwt}` } }),
      (err: unknown) => err instanceof UpgradeRefused && err.status === 401,
    );
  }
  assert.equal(await metricValue(gw.port, CONNECTS), before);
});

test('the broker sees one connection for one good session among the refused ones', async () => {
  // Refused sessions are held open (no close-ok yet) while the broker is asked.
  const clients = await Promise.all(badTokens.map(async () => RawClient.connect(gw.url)));
  const goodClient = await RawClient.connect(gw.url);
  try {
    const answers = await Promise.all(clients.map(async (c, i) => authenticate(c, await badTokens[i]![1]())));
    assert.ok(answers.every((a) => a.name === 'connection.close' && a.args.replyCode === ReplyCode.AccessRefused));
    await handshake(goodClient, await gw.token(good));
    assert.equal(await countGatewayConnections(SUB), 1);
  } finally {
    for (const c of [...clients, goodClient]) c.terminate();
  }
});
