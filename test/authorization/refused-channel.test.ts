import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed, assertRefused } from './assertions.js';
import { uniqueName } from './broker-view.js';
import { brokerFor, sessionFor } from './fixture.js';
import { m, scopes } from './methods.js';

// A refusal closes one channel only: the session's other channels carry on,
// what the page sends on the refused channel before its close-ok is dropped,
// and the channel id can be opened again and used.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

test('a refusal on one channel leaves the others working and the refused id reusable', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  const forbidden = broker.track('exchange', uniqueName('x'));
  const session = await sessionFor(t, gw, scopes(`read:${q}`, 'write:amq.default'));

  // Channel 1 consumes, channel 2 publishes with confirms, channel 3 gets refused.
  assertAllowed(await session.call(1, m.basicConsume(q), 'basic.consumeOk'));
  await session.openConfirmChannel(2);
  await session.openChannel(3);
  const refused = await session.call(3, m.exchangeDeclare(forbidden), 'exchange.declareOk');
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(refused.close.args.replyCode, ReplyCode.AccessRefused);

  // Before its close-ok the page still publishes on channel 3 (a publish its
  // token would allow): the spec says a closing channel discards it.
  session.publish(3, '', q, 'sent while closing');
  session.closeOk(3);

  session.publish(2, '', q, 'from channel 2');
  assertAllowed(await session.outcome(2, 'basic.ack'));
  assert.equal((await session.delivery(1)).body, 'from channel 2');

  await session.openConfirmChannel(3);
  session.publish(3, '', q, 'from channel 3 reopened');
  assertAllowed(await session.outcome(3, 'basic.ack'));
  assert.equal((await session.delivery(1)).body, 'from channel 3 reopened');

  assert.equal(await broker.exchangeExists(forbidden), false);
  assert.equal(await broker.messageCount(q), 0);
  assert.equal(await broker.consumerCount(q), 1);
});

test('a channel reopened before the broker finished closing it works once it has', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 1, 'waiting');
  const session = await sessionFor(t, gw, scopes(`read:${q}`));

  // close-ok, channel.open and a basic.get sent back to back, without waiting:
  // the gateway holds them until the broker has closed its side of channel 1.
  session.send(1, m.queuePurge(`${q}-not-granted`));
  const refused = await session.outcome(1, 'queue.purgeOk');
  assert.equal(refused.ok ? 0 : refused.close.args.replyCode, ReplyCode.AccessRefused);
  session.closeOk(1);
  session.send(1, { name: 'channel.open', args: {} });
  session.send(1, m.basicGet(q));
  await session.expect(1, 'channel.openOk');
  const got = await session.next(1, ['basic.getOk', 'basic.getEmpty', 'channel.close']);
  assert.equal(got.name, 'basic.getOk');
  assert.equal(await broker.messageCount(q), 0);
});

test('refusals on several channels of one session are each answered on their own channel', async (t) => {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  await broker.fill(q, 2);
  const session = await sessionFor(t, gw, scopes(`write:${q}`));
  await session.openChannel(2);
  session.send(1, m.basicGet(q));
  session.send(2, m.queuePurge(q));
  const [one, two] = await Promise.all([session.outcome(1, 'basic.getOk'), session.outcome(2, 'queue.purgeOk')]);
  await assertRefused(session, 1, one, 60, 70);
  await assertRefused(session, 2, two, 50, 30);
  assert.equal(await broker.messageCount(q), 2);
});
