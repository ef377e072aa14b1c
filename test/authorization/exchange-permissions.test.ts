import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed, assertRefused } from './assertions.js';
import { uniqueName } from './broker-view.js';
import { brokerFor, sessionFor } from './fixture.js';
import { m, scopes } from './methods.js';

// exchange.declare/delete need configure on the exchange; exchange.bind/unbind
// need write on the destination and read on the source. Every refusal is
// checked from the broker's side over a direct TCP connection.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

test('exchange.declare with configure on the name creates the exchange', async (t) => {
  const broker = await brokerFor(t);
  const x = broker.track('exchange', uniqueName('x'));
  const session = await sessionFor(t, gw, scopes(`configure:${x}`));
  assertAllowed(await session.call(1, m.exchangeDeclare(x), 'exchange.declareOk'));
  assert.equal(await broker.exchangeExists(x), true);
});

test('exchange.declare without configure is refused 403 and no exchange appears', async (t) => {
  const broker = await brokerFor(t);
  const x = broker.track('exchange', uniqueName('x'));
  const session = await sessionFor(t, gw, scopes(`configure:${x}-other`, `write:${x}`, `read:${x}`));
  await assertRefused(session, 1, await session.call(1, m.exchangeDeclare(x), 'exchange.declareOk'), 40, 10);
  assert.equal(await broker.exchangeExists(x), false);
});

test('a passive exchange.declare needs no configure', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'));
  const session = await sessionFor(t, gw, scopes('read:nothing-here'));
  assertAllowed(await session.call(1, m.exchangeDeclare(x, { passive: true }), 'exchange.declareOk'));
});

test('declaring an amq.* exchange is refused 403 even with configure on everything', async (t) => {
  const broker = await brokerFor(t);
  // Not tracked for clean-up: the broker itself refuses to delete amq.* exchanges.
  const x = `amq.${uniqueName('x')}`;
  const session = await sessionFor(t, gw, scopes('configure:*', 'write:*', 'read:*'));
  await assertRefused(session, 1, await session.call(1, m.exchangeDeclare(x), 'exchange.declareOk'), 40, 10);
  assert.equal(await broker.exchangeExists(x), false);
});

test('exchange.delete with configure deletes the exchange', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'));
  const session = await sessionFor(t, gw, scopes(`configure:${x}`));
  assertAllowed(await session.call(1, m.exchangeDelete(x), 'exchange.deleteOk'));
  assert.equal(await broker.exchangeExists(x), false);
});

test('exchange.delete without configure is refused 403 and the exchange stays', async (t) => {
  const broker = await brokerFor(t);
  const x = await broker.exchange(uniqueName('x'));
  const session = await sessionFor(t, gw, scopes(`write:${x}`, `read:${x}`));
  await assertRefused(session, 1, await session.call(1, m.exchangeDelete(x), 'exchange.deleteOk'), 40, 20);
  assert.equal(await broker.exchangeExists(x), true);
});

/**
 * A source and a destination exchange, with a probe queue behind the
 * destination: a publish to the source routes exactly when source → destination
 * is bound with `key`.
 */
async function exchangePair(broker: Awaited<ReturnType<typeof brokerFor>>) {
  const source = await broker.exchange(uniqueName('src'));
  const destination = await broker.exchange(uniqueName('dst'), 'fanout');
  const probe = await broker.queue(uniqueName('probe'));
  await broker.bindQueue(probe, destination, '');
  return { source, destination, key: 'k1' };
}

test('exchange.bind with write on the destination and read on the source binds them', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  assert.equal(await broker.routes(source, key), false);
  const session = await sessionFor(t, gw, scopes(`write:${destination}`, `read:${source}`));
  assertAllowed(await session.call(1, m.exchangeBind(destination, source, key), 'exchange.bindOk'));
  assert.equal(await broker.routes(source, key), true);
});

test('exchange.bind without write on the destination is refused 403 and nothing is bound', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  const session = await sessionFor(t, gw, scopes(`read:${destination}`, `read:${source}`, `write:${source}`));
  await assertRefused(
    session,
    1,
    await session.call(1, m.exchangeBind(destination, source, key), 'exchange.bindOk'),
    40,
    30,
  );
  assert.equal(await broker.routes(source, key), false);
});

test('exchange.bind without read on the source is refused 403 and nothing is bound', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  const session = await sessionFor(t, gw, scopes(`write:${destination}`, `read:${destination}`, `write:${source}`));
  await assertRefused(
    session,
    1,
    await session.call(1, m.exchangeBind(destination, source, key), 'exchange.bindOk'),
    40,
    30,
  );
  assert.equal(await broker.routes(source, key), false);
});

test('exchange.unbind with write on the destination and read on the source unbinds them', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  await broker.bindExchange(destination, source, key);
  const session = await sessionFor(t, gw, scopes(`write:${destination}`, `read:${source}`));
  assertAllowed(await session.call(1, m.exchangeUnbind(destination, source, key), 'exchange.unbindOk'));
  assert.equal(await broker.routes(source, key), false);
});

test('exchange.unbind without write on the destination is refused 403 and the binding stays', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  await broker.bindExchange(destination, source, key);
  const session = await sessionFor(t, gw, scopes(`read:${destination}`, `read:${source}`));
  const outcome = await session.call(1, m.exchangeUnbind(destination, source, key), 'exchange.unbindOk');
  await assertRefused(session, 1, outcome, 40, 40);
  assert.equal(await broker.routes(source, key), true);
});

test('exchange.unbind without read on the source is refused 403 and the binding stays', async (t) => {
  const broker = await brokerFor(t);
  const { source, destination, key } = await exchangePair(broker);
  await broker.bindExchange(destination, source, key);
  const session = await sessionFor(t, gw, scopes(`write:${destination}`, `write:${source}`));
  const outcome = await session.call(1, m.exchangeUnbind(destination, source, key), 'exchange.unbindOk');
  await assertRefused(session, 1, outcome, 40, 40);
  assert.equal(await broker.routes(source, key), true);
});

test('an alternate exchange needs write on it and read on the declared exchange', async (t) => {
  const broker = await brokerFor(t);
  const alternate = await broker.exchange(uniqueName('ae'));
  const refusedX = broker.track('exchange', uniqueName('x'));
  const allowedX = broker.track('exchange', uniqueName('x'));
  const args = { arguments: { 'alternate-exchange': alternate } };
  const session = await sessionFor(
    t,
    gw,
    scopes(
      `configure:${refusedX}`,
      `read:${refusedX}`,
      `configure:${allowedX}`,
      `read:${allowedX}`,
      `write:${alternate}-other`,
    ),
  );
  await assertRefused(
    session,
    1,
    await session.call(1, m.exchangeDeclare(refusedX, args), 'exchange.declareOk'),
    40,
    10,
  );
  assert.equal(await broker.exchangeExists(refusedX), false);

  const granted = await sessionFor(t, gw, scopes(`configure:${allowedX}`, `read:${allowedX}`, `write:${alternate}`));
  assertAllowed(await granted.call(1, m.exchangeDeclare(allowedX, args), 'exchange.declareOk'));
  assert.equal(await broker.exchangeExists(allowedX), true);
});
