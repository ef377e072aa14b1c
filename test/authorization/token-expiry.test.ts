import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { countGatewayConnections, eventually } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed } from './assertions.js';
import { BrowserSession } from './browser-session.js';
import { uniqueName } from './broker-view.js';
import { m, scopes } from './methods.js';

// At exp (plus --token-expiry-grace) without a refresh the gateway closes the
// session with connection.close 403 naming expiry. These tests wait for real
// token lifetimes of two seconds, so they run side by side.

/** Timers may fire a millisecond or so before their due time as Date.now() sees it. */
const TIMER_SLACK_MS = 20;
/** How late the close may come and still count as on time. */
const LATE_LIMIT_MS = 4000;

let gw: TestGateway;
let graceful: TestGateway;
before(async () => {
  [gw, graceful] = await Promise.all([startTestGateway(), startTestGateway(['--token-expiry-grace', '2s'])]);
});
after(() => Promise.all([gw.stop(), graceful.stop()]));

/** Opens a session with a two-second token; resolves with it and the token's `exp` in milliseconds. */
async function shortLivedSession(t: TestContext, through: TestGateway, sub: string) {
  const jwt = await through.token({ sub, scope: scopes('read:*', 'configure:*'), expiresIn: 2 });
  const exp = expiryOf(jwt);
  const session = await BrowserSession.open(through.url, jwt);
  t.after(() => session.close());
  await session.openChannel(1);
  return { session, exp };
}

/** A round trip on channel 1 that needs a live session: a passive declare of a missing queue gives 404. */
async function roundTrip(session: BrowserSession): Promise<void> {
  const probe = await session.call(1, m.queueDeclare(uniqueName('absent'), { passive: true }), 'queue.declareOk');
  assert.equal(probe.ok, false);
  if (!probe.ok) assert.equal(probe.close.args.replyCode, ReplyCode.NotFound);
  session.closeOk(1);
  await session.openChannel(1);
}

function expiryOf(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  return payload.exp * 1000;
}

describe('token expiry', { concurrency: true }, () => {
  test('a session whose token expires is closed with 403 naming expiry, at exp', async (t) => {
    const sub = uniqueName('sub');
    const { session, exp } = await shortLivedSession(t, gw, sub);
    const close = await session.connectionClose(exp - Date.now() + LATE_LIMIT_MS);
    const at = Date.now();
    assert.equal(close.args.replyCode, ReplyCode.AccessRefused);
    assert.match(close.args.replyText, /expir/i);
    assert.ok(at >= exp - TIMER_SLACK_MS, `closed ${exp - at} ms before exp`);
    await session.client.closed;
    assert.ok(await eventually(async () => (await countGatewayConnections(sub)) === 0));
  });

  test('--token-expiry-grace keeps the session open past exp, then closes it', async (t) => {
    const { session, exp } = await shortLivedSession(t, graceful, uniqueName('sub'));
    await sleep(exp - Date.now() + 500);
    await roundTrip(session);
    const close = await session.connectionClose(exp + 2000 - Date.now() + LATE_LIMIT_MS);
    const at = Date.now();
    assert.equal(close.args.replyCode, ReplyCode.AccessRefused);
    assert.match(close.args.replyText, /expir/i);
    assert.ok(at >= exp + 2000 - TIMER_SLACK_MS, `closed ${exp + 2000 - at} ms before the grace ended`);
  });

  test('a refresh before exp keeps the session alive past the first token’s exp', async (t) => {
    const sub = uniqueName('sub');
    const { session, exp } = await shortLivedSession(t, gw, sub);
    session.send(0, {
      name: 'connection.updateSecret',
      args: { newSecret: await gw.token({ sub, scope: scopes('read:*', 'configure:*') }), reason: 'refresh' },
    });
    await session.expect(0, 'connection.updateSecretOk');
    await sleep(exp - Date.now() + 1500);
    await roundTrip(session);
    const q = uniqueName('q');
    const declared = await session.call(1, m.queueDeclare(q, { exclusive: true }), 'queue.declareOk');
    assertAllowed(declared);
    assert.equal(session.ended, false);
    assert.equal(session.client.frames.filter((e) => e.method?.name === 'connection.close').length, 0);
  });
});
