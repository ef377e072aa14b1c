import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { ReplyCode, type MethodOf } from '../../shared/index.js';
import { countGatewayConnections, eventually } from '../helpers/broker.js';
import { signToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed, assertRefused } from './assertions.js';
import { uniqueName } from './broker-view.js';
import type { BrowserSession } from './browser-session.js';
import { brokerFor, sessionFor } from './fixture.js';
import { m, scopes } from './methods.js';

// connection.update-secret (class 10, method 70) with a new JWT: verified like
// the first, same sub required, permissions replaced; anything else closes the
// session with 403.

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

/** Sends update-secret; resolves with update-secret-ok or the connection.close that refused it. */
async function refresh(
  session: BrowserSession,
  jwt: string,
): Promise<MethodOf<'connection.updateSecretOk' | 'connection.close'>> {
  session.send(0, { name: 'connection.updateSecret', args: { newSecret: jwt, reason: 'test refresh' } });
  return session.next(0, ['connection.updateSecretOk', 'connection.close']);
}

/** Asserts the refresh was answered with connection.close 403 naming update-secret, and the session ended. */
async function assertRefreshRefused(
  session: BrowserSession,
  answer: MethodOf<'connection.updateSecretOk' | 'connection.close'>,
): Promise<void> {
  assert.equal(answer.name, 'connection.close');
  if (answer.name !== 'connection.close') return;
  assert.equal(answer.args.replyCode, ReplyCode.AccessRefused);
  assert.equal(answer.args.classId, 10);
  assert.equal(answer.args.methodId, 70);
  session.client.closeOk();
  await session.client.closed;
}

test('a refresh with other scopes is acknowledged and the new permissions replace the old', async (t) => {
  const broker = await brokerFor(t);
  const before = await broker.queue(uniqueName('q'));
  const after = await broker.queue(uniqueName('q'));
  await broker.fill(before, 2);
  await broker.fill(after, 2);
  const session = await sessionFor(t, gw, scopes(`read:${before}`));

  assert.equal((await session.get(1, before))?.body, 'seed');
  await assertRefused(session, 1, await session.call(1, m.basicGet(after), 'basic.getOk'), 60, 70);

  const answer = await refresh(session, await gw.token({ scope: scopes(`read:${after}`) }));
  assert.equal(answer.name, 'connection.updateSecretOk');

  assert.equal((await session.get(1, after))?.body, 'seed');
  await assertRefused(session, 1, await session.call(1, m.basicGet(before), 'basic.getOk'), 60, 70);
  assert.equal(await broker.messageCount(before), 1);
  assert.equal(await broker.messageCount(after), 1);
});

test('a publish let through before a refresh is judged again after it, however often it was sent', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  const session = await sessionFor(t, gw, scopes('write:amq.default'));
  await session.openConfirmChannel(2);
  // The same publish twice: the second is the one the gateway recognises rather than decodes.
  for (const body of ['first', 'second']) {
    session.publish(2, '', q, body);
    assertAllowed(await session.outcome(2, 'basic.ack'));
  }

  const answer = await refresh(session, await gw.token({ scope: scopes('read:*') }));
  assert.equal(answer.name, 'connection.updateSecretOk');

  session.publish(2, '', q, 'third');
  await assertRefused(session, 2, await session.outcome(2, 'basic.ack'), 60, 40);
  assert.equal(await broker.messageCount(q), 2);
});

test('a refresh naming another subject closes the session with 403', async (t) => {
  const sub = uniqueName('sub');
  const session = await sessionFor(t, gw, scopes('read:*'), sub);
  assert.equal(await countGatewayConnections(sub), 1);
  const answer = await refresh(session, await gw.token({ sub: 'mallory', scope: scopes('read:*') }));
  await assertRefreshRefused(session, answer);
  // The broker connection the session held is released too.
  assert.ok(await eventually(async () => (await countGatewayConnections(sub)) === 0));
});

test('a refresh with a token signed by someone else closes the session with 403', async (t) => {
  const session = await sessionFor(t, gw, scopes('read:*'));
  const forged = await signToken(randomBytes(32).toString('hex'), { scope: scopes('configure:*', 'read:*') });
  const answer = await refresh(session, forged);
  await assertRefreshRefused(session, answer);
});

test('a refresh with an expired token closes the session with 403', async (t) => {
  const session = await sessionFor(t, gw, scopes('read:*'));
  // Beyond the verifier's default clock tolerance (5 s).
  const answer = await refresh(session, await gw.token({ scope: scopes('read:*'), expiresIn: -60 }));
  await assertRefreshRefused(session, answer);
});

test('a refresh with something that is not a JWT closes the session with 403', async (t) => {
  const session = await sessionFor(t, gw, scopes('read:*'));
  const answer = await refresh(session, 'not-a-token');
  await assertRefreshRefused(session, answer);
});

test('a refresh whose token does not grant the session’s vhost closes the session with 403', async (t) => {
  const session = await sessionFor(t, gw, scopes('read:*'));
  const otherVhost = 'rabbitmq.read:elsewhere/* rabbitmq.configure:elsewhere/*';
  await assertRefreshRefused(session, await refresh(session, await gw.token({ scope: otherVhost })));
});

test('amqp-client.js refreshes through updateSecret() and gains the new permissions', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1, 'for the refreshed token');
  const client = new AMQPWebSocketClient(gw.url, '/', '', await gw.token({ scope: scopes('read:nothing-here') }));
  const conn = await client.connect();
  t.after(() => (conn.closed ? undefined : conn.close()));

  const refused = await conn.channel();
  await assert.rejects(refused.basicGet(q, { noAck: true }));
  await conn.updateSecret(await gw.token({ scope: scopes(`read:${q}`) }), 'refresh');
  const ch = await conn.channel();
  const message = await ch.basicGet(q, { noAck: true });
  assert.equal(message?.bodyToString(), 'for the refreshed token');
  assert.equal(conn.closed, false);
});
