import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed, assertRefused } from './assertions.js';
import { uniqueName, type BrokerView } from './broker-view.js';
import { brokerFor, sessionFor } from './fixture.js';
import { m, scopes } from './methods.js';

// queue.declare/delete need configure on the queue (a passive declare needs
// nothing, a server-named queue is checked as amq.gen-*, other amq.* names are
// refused outright); queue.bind/unbind need write on the queue and read on the
// exchange; queue.purge needs read. Refusals are checked from the broker's side.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

test('queue.declare with configure on the name creates the queue', async (t) => {
  const broker = await brokerFor(t);
  const q = broker.track('queue', uniqueName('q'));
  const session = await sessionFor(t, gw, scopes(`configure:${q}`));
  const outcome = await session.call(1, m.queueDeclare(q), 'queue.declareOk');
  assertAllowed(outcome);
  assert.equal(outcome.reply.args.queue, q);
  assert.equal(await broker.queueExists(q), true);
});

test('queue.declare without configure is refused 403 and no queue appears', async (t) => {
  const broker = await brokerFor(t);
  const q = broker.track('queue', uniqueName('q'));
  const session = await sessionFor(t, gw, scopes(`read:${q}`, `write:${q}`, `configure:${q}-other`));
  await assertRefused(session, 1, await session.call(1, m.queueDeclare(q), 'queue.declareOk'), 50, 10);
  assert.equal(await broker.queueExists(q), false);
});

test('a passive queue.declare needs no configure', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 2);
  const session = await sessionFor(t, gw, scopes('read:nothing-here'));
  const outcome = await session.call(1, m.queueDeclare(q, { passive: true }), 'queue.declareOk');
  assertAllowed(outcome);
  assert.equal(outcome.reply.args.messageCount, 2);
});

test('a server-named queue is allowed by configure on amq.gen-*', async (t) => {
  const broker = await brokerFor(t);
  const session = await sessionFor(t, gw, scopes('configure:amq.gen-*'));
  // Not exclusive, so that the broker view may look at it from its own connection.
  const outcome = await session.call(1, m.queueDeclare(''), 'queue.declareOk');
  assertAllowed(outcome);
  const name = broker.track('queue', outcome.reply.args.queue);
  assert.match(name, /^amq\.gen-/);
  assert.equal(await broker.queueExists(name), true);
});

test('a server-named queue is refused 403 when only named queues may be configured', async (t) => {
  const broker = await brokerFor(t);
  const q = uniqueName('q');
  const session = await sessionFor(t, gw, scopes(`configure:${q}`, 'read:*', 'write:*'));
  await assertRefused(
    session,
    1,
    await session.call(1, m.queueDeclare('', { exclusive: true }), 'queue.declareOk'),
    50,
    10,
  );
  // The session still works, and the broker never named a queue for it.
  const named = await session.call(1, m.queueDeclare(broker.track('queue', q)), 'queue.declareOk');
  assertAllowed(named);
  assert.equal(named.reply.args.queue, q);
});

test('declaring an amq.* queue is refused 403 even with configure on everything', async (t) => {
  const broker = await brokerFor(t);
  const q = broker.track('queue', `amq.${uniqueName('q')}`);
  const session = await sessionFor(t, gw, scopes('configure:*', 'write:*', 'read:*'));
  await assertRefused(session, 1, await session.call(1, m.queueDeclare(q), 'queue.declareOk'), 50, 10);
  assert.equal(await broker.queueExists(q), false);
});

test('queue.delete with configure deletes the queue', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  const session = await sessionFor(t, gw, scopes(`configure:${q}`));
  assertAllowed(await session.call(1, m.queueDelete(q), 'queue.deleteOk'));
  assert.equal(await broker.queueExists(q), false);
});

test('queue.delete without configure is refused 403 and the queue and its messages stay', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 2);
  const session = await sessionFor(t, gw, scopes(`read:${q}`, `write:${q}`));
  await assertRefused(session, 1, await session.call(1, m.queueDelete(q), 'queue.deleteOk'), 50, 40);
  assert.equal(await broker.messageCount(q), 2);
});

async function queueAndExchange(broker: BrokerView) {
  const queue = await broker.queue(uniqueName('q'));
  const exchange = await broker.exchange(uniqueName('x'));
  return { queue, exchange, key: 'k1' };
}

test('queue.bind with write on the queue and read on the exchange binds them', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  assert.equal(await broker.routes(exchange, key), false);
  const session = await sessionFor(t, gw, scopes(`write:${queue}`, `read:${exchange}`));
  assertAllowed(await session.call(1, m.queueBind(queue, exchange, key), 'queue.bindOk'));
  assert.equal(await broker.routes(exchange, key), true);
  assert.equal(await broker.messageCount(queue), 1);
});

test('queue.bind without write on the queue is refused 403 and nothing is bound', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  const session = await sessionFor(t, gw, scopes(`read:${queue}`, `configure:${queue}`, `read:${exchange}`));
  await assertRefused(session, 1, await session.call(1, m.queueBind(queue, exchange, key), 'queue.bindOk'), 50, 20);
  assert.equal(await broker.routes(exchange, key), false);
});

test('queue.bind without read on the exchange is refused 403 and nothing is bound', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  const session = await sessionFor(t, gw, scopes(`write:${queue}`, `write:${exchange}`, `configure:${exchange}`));
  await assertRefused(session, 1, await session.call(1, m.queueBind(queue, exchange, key), 'queue.bindOk'), 50, 20);
  assert.equal(await broker.routes(exchange, key), false);
});

test('queue.unbind with write on the queue and read on the exchange unbinds them', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  await broker.bindQueue(queue, exchange, key);
  const session = await sessionFor(t, gw, scopes(`write:${queue}`, `read:${exchange}`));
  assertAllowed(await session.call(1, m.queueUnbind(queue, exchange, key), 'queue.unbindOk'));
  assert.equal(await broker.routes(exchange, key), false);
});

test('queue.unbind without write on the queue is refused 403 and the binding stays', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  await broker.bindQueue(queue, exchange, key);
  const session = await sessionFor(t, gw, scopes(`read:${queue}`, `read:${exchange}`));
  await assertRefused(session, 1, await session.call(1, m.queueUnbind(queue, exchange, key), 'queue.unbindOk'), 50, 50);
  assert.equal(await broker.routes(exchange, key), true);
});

test('queue.unbind without read on the exchange is refused 403 and the binding stays', async (t) => {
  const broker = await brokerFor(t);
  const { queue, exchange, key } = await queueAndExchange(broker);
  await broker.bindQueue(queue, exchange, key);
  const session = await sessionFor(t, gw, scopes(`write:${queue}`, `write:${exchange}`));
  await assertRefused(session, 1, await session.call(1, m.queueUnbind(queue, exchange, key), 'queue.unbindOk'), 50, 50);
  assert.equal(await broker.routes(exchange, key), true);
});

test('queue.purge with read on the queue empties it', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 3);
  const session = await sessionFor(t, gw, scopes(`read:${q}`));
  const outcome = await session.call(1, m.queuePurge(q), 'queue.purgeOk');
  assertAllowed(outcome);
  assert.equal(outcome.reply.args.messageCount, 3);
  assert.equal(await broker.messageCount(q), 0);
});

test('queue.purge without read is refused 403 and every message stays', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 3);
  const session = await sessionFor(t, gw, scopes(`configure:${q}`, `write:${q}`));
  await assertRefused(session, 1, await session.call(1, m.queuePurge(q), 'queue.purgeOk'), 50, 30);
  assert.equal(await broker.messageCount(q), 3);
});

test('an empty queue name is checked as the channel’s last declared queue', async (t) => {
  const broker = await brokerFor(t);
  const granted = await broker.queue(uniqueName('q'));
  const other = await broker.queue(uniqueName('q'));
  await broker.fill(granted, 1);
  await broker.fill(other, 1);
  const session = await sessionFor(t, gw, scopes(`read:${granted}`));

  assertAllowed(await session.call(1, m.queueDeclare(granted, { passive: true }), 'queue.declareOk'));
  assertAllowed(await session.call(1, m.queuePurge(''), 'queue.purgeOk'));
  assert.equal(await broker.messageCount(granted), 0);

  assertAllowed(await session.call(1, m.queueDeclare(other, { passive: true }), 'queue.declareOk'));
  await assertRefused(session, 1, await session.call(1, m.queuePurge(''), 'queue.purgeOk'), 50, 30);
  assert.equal(await broker.messageCount(other), 1);
});

test('an empty queue name right after a pipelined declare is checked as the newly declared queue', async (t) => {
  const broker = await brokerFor(t);
  const granted = await broker.queue(uniqueName('q'));
  const forbidden = await broker.queue(uniqueName('q'));
  await broker.fill(forbidden, 1, 'not for alice');
  const session = await sessionFor(t, gw, scopes(`read:${granted}`));
  assertAllowed(await session.call(1, m.queueDeclare(granted, { passive: true }), 'queue.declareOk'));

  // The broker takes '' as the queue it declared last: the forbidden one, even
  // though the gateway has not seen its declare-ok yet when the get arrives.
  session.send(1, m.queueDeclare(forbidden, { passive: true }));
  await assertRefused(session, 1, await session.call(1, m.basicGet(''), 'basic.getOk'), 60, 70);
  assert.equal(await broker.messageCount(forbidden), 1);
});

test('an empty queue name after a no-wait declare is checked as that queue', async (t) => {
  const broker = await brokerFor(t);
  const granted = await broker.queue(uniqueName('q'));
  const forbidden = await broker.queue(uniqueName('q'));
  await broker.fill(forbidden, 1, 'not for alice');
  const session = await sessionFor(t, gw, scopes(`read:${granted}`));
  assertAllowed(await session.call(1, m.queueDeclare(granted, { passive: true }), 'queue.declareOk'));

  // A no-wait declare is never answered, so the gateway must learn the name from the request.
  session.send(1, m.queueDeclare(forbidden, { passive: true, noWait: true }));
  await assertRefused(session, 1, await session.call(1, m.basicGet(''), 'basic.getOk'), 60, 70);
  assert.equal(await broker.messageCount(forbidden), 1);
});

test('an empty queue name right after a pipelined server-named declare is refused until its name is known', async (t) => {
  const broker = await brokerFor(t);
  const granted = await broker.queue(uniqueName('q'));
  await broker.fill(granted, 1);
  const session = await sessionFor(t, gw, scopes(`read:${granted}`, 'configure:amq.gen-*'));
  assertAllowed(await session.call(1, m.queueDeclare(granted, { passive: true }), 'queue.declareOk'));

  // The broker would purge the new server-named queue, whose name the gateway cannot check yet.
  session.send(1, m.queueDeclare('', { exclusive: true }));
  await assertRefused(session, 1, await session.call(1, m.queuePurge(''), 'queue.purgeOk'), 50, 30);
  assert.equal(await broker.messageCount(granted), 1);
});

test('a dead-letter exchange needs write on it and read on the declared queue', async (t) => {
  const broker = await brokerFor(t);
  const dlx = await broker.exchange(uniqueName('dlx'));
  const q = broker.track('queue', uniqueName('q'));
  const args = { arguments: { 'x-dead-letter-exchange': dlx } };
  const refused = await sessionFor(t, gw, scopes(`configure:${q}`, `read:${q}`));
  await assertRefused(refused, 1, await refused.call(1, m.queueDeclare(q, args), 'queue.declareOk'), 50, 10);
  assert.equal(await broker.queueExists(q), false);

  const granted = await sessionFor(t, gw, scopes(`configure:${q}`, `read:${q}`, `write:${dlx}`));
  assertAllowed(await granted.call(1, m.queueDeclare(q, args), 'queue.declareOk'));
  assert.equal(await broker.queueExists(q), true);
});
