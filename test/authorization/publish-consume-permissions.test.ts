import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed, assertRefused } from './assertions.js';
import { uniqueName } from './broker-view.js';
import { brokerFor, sessionFor } from './fixture.js';
import { m, scopes } from './methods.js';

// basic.publish needs write on the exchange (the default exchange is checked
// as amq.default) and, for a grant with a routing-key part, a matching key;
// basic.consume and basic.get need read on the queue. Publishes go on a
// confirm channel, so an allowed one is acked by the broker and a refused one
// is answered by the gateway's channel.close instead.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

test('basic.publish with write on the exchange reaches the bound queue', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'));
  const q = await broker.queue(uniqueName('q'));
  await broker.bindQueue(q, x, 'k');
  const session = await sessionFor(t, gw, scopes(`write:${x}`));
  await session.openConfirmChannel(2);
  session.publish(2, x, 'k', 'hello');
  assertAllowed(await session.outcome(2, 'basic.ack'));
  assert.equal(await broker.messageCount(q), 1);
});

test('basic.publish without write on the exchange is refused 403 and nothing is queued', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'));
  const q = await broker.queue(uniqueName('q'));
  await broker.bindQueue(q, x, 'k');
  const session = await sessionFor(t, gw, scopes(`read:${x}`, `configure:${x}`, `write:${q}`));
  await session.openConfirmChannel(2);
  session.publish(2, x, 'k', 'hello');
  await assertRefused(session, 2, await session.outcome(2, 'basic.ack'), 60, 40);
  assert.equal(await broker.messageCount(q), 0);
});

test('basic.publish to the default exchange needs write on amq.default', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  const session = await sessionFor(t, gw, scopes('write:amq.default'));
  await session.openConfirmChannel(2);
  session.publish(2, '', q, 'hello');
  assertAllowed(await session.outcome(2, 'basic.ack'));
  assert.equal(await broker.messageCount(q), 1);
});

test('basic.publish to the default exchange without write on amq.default is refused 403', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  // Write on the queue's name is not write on the default exchange.
  const session = await sessionFor(t, gw, scopes(`write:${q}`, `configure:${q}`, `read:${q}`));
  await session.openConfirmChannel(2);
  session.publish(2, '', q, 'hello');
  await assertRefused(session, 2, await session.outcome(2, 'basic.ack'), 60, 40);
  assert.equal(await broker.messageCount(q), 0);
});

test('a write grant with a routing-key part allows matching keys only', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'), 'topic');
  const eu = await broker.queue(uniqueName('eu'));
  const us = await broker.queue(uniqueName('us'));
  await broker.bindQueue(eu, x, 'eu.#');
  await broker.bindQueue(us, x, 'us.#');
  const session = await sessionFor(t, gw, scopes(`write:${x}/eu.*`));
  await session.openConfirmChannel(2);

  session.publish(2, x, 'eu.orders', 'allowed');
  assertAllowed(await session.outcome(2, 'basic.ack'));
  session.publish(2, x, 'us.orders', 'refused');
  await assertRefused(session, 2, await session.outcome(2, 'basic.ack'), 60, 40);

  assert.equal(await broker.messageCount(eu), 1);
  assert.equal(await broker.messageCount(us), 0);
});

test('basic.consume with read on the queue delivers its messages', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1, 'waiting');
  const session = await sessionFor(t, gw, scopes(`read:${q}`));
  assertAllowed(await session.call(1, m.basicConsume(q), 'basic.consumeOk'));
  const message = await session.delivery(1);
  assert.equal(message.body, 'waiting');
  assert.equal(await broker.messageCount(q), 0);
});

test('basic.consume without read is refused 403: no consumer, the message stays', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1);
  const session = await sessionFor(t, gw, scopes(`write:${q}`, `configure:${q}`));
  await assertRefused(session, 1, await session.call(1, m.basicConsume(q), 'basic.consumeOk'), 60, 20);
  assert.equal(await broker.consumerCount(q), 0);
  assert.equal(await broker.messageCount(q), 1);
});

test('basic.get with read on the queue takes a message', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1, 'waiting');
  const session = await sessionFor(t, gw, scopes(`read:${q}`));
  const message = await session.get(1, q);
  assert.equal(message?.body, 'waiting');
  assert.equal(await broker.messageCount(q), 0);
});

test('basic.get without read is refused 403 and the message stays', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1);
  const session = await sessionFor(t, gw, scopes(`write:${q}`, `configure:${q}`));
  await assertRefused(session, 1, await session.call(1, m.basicGet(q), 'basic.getOk'), 60, 70);
  assert.equal(await broker.messageCount(q), 1);
});
