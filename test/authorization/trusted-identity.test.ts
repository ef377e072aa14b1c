import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { BasicProperties } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertAllowed } from './assertions.js';
import { uniqueName, type BrokerView } from './broker-view.js';
import type { Delivered } from './browser-session.js';
import { brokerFor, sessionFor } from './fixture.js';
import { scopes } from './methods.js';

// Every message a session publishes carries the token's sub in a header the
// gateway sets (x-warren-user unless --identity-header names another); what
// the page put there is replaced. A user-id property naming anyone else is
// refused with 406.

let gw: TestGateway;
let renamed: TestGateway;
before(async () => {
  [gw, renamed] = await Promise.all([startTestGateway(), startTestGateway(['--identity-header', 'x-user'])]);
});
after(() => Promise.all([gw.stop(), renamed.stop()]));

/**
 * Alice publishes one message with `properties` to a fresh queue through
 * `through`, and bob, another page, consumes it: resolves with what bob sees,
 * or with the publish's refusal.
 */
async function publishAsAlice(t: TestContext, through: TestGateway, properties: BasicProperties) {
  const broker = await brokerFor(t);
  const q = await broker.queue(uniqueName('q'));
  const alice = await sessionFor(t, through, scopes('write:amq.default'), 'alice');
  await alice.openConfirmChannel(2);
  alice.publish(2, '', q, 'hello', properties);
  const outcome = await alice.outcome(2, 'basic.ack');
  return { broker, q, alice, outcome, seenByBob: () => consumeAsBob(t, through, q) };
}

async function consumeAsBob(t: TestContext, through: TestGateway, q: string): Promise<Delivered> {
  const bob = await sessionFor(t, through, scopes(`read:${q}`), 'bob');
  const message = await bob.get(1, q);
  assert.ok(message, 'bob found no message');
  return message;
}

async function assertNothingQueued(broker: BrokerView, q: string): Promise<void> {
  assert.equal(await broker.messageCount(q), 0);
}

test('a page that sets x-warren-user itself: consumers see the token’s sub instead', async (t) => {
  const { outcome, seenByBob } = await publishAsAlice(t, gw, {
    headers: { 'x-warren-user': 'mallory', order: 42 },
  });
  assertAllowed(outcome);
  const message = await seenByBob();
  assert.equal(message.body, 'hello');
  assert.equal(message.properties.headers?.['x-warren-user'], 'alice');
  // The page's other headers are left alone.
  assert.equal(message.properties.headers?.['order'], 42);
});

test('a page that sets the identity header in other letter cases cannot pass it on', async (t) => {
  const { outcome, seenByBob } = await publishAsAlice(t, gw, {
    headers: { 'X-Warren-User': 'mallory', 'X-WARREN-USER': 'mallory' },
  });
  assertAllowed(outcome);
  const headers = (await seenByBob()).properties.headers ?? {};
  assert.deepEqual(
    Object.keys(headers).filter((key) => key.toLowerCase() === 'x-warren-user'),
    ['x-warren-user'],
  );
  assert.equal(headers['x-warren-user'], 'alice');
});

test('a message published without headers gets the identity header', async (t) => {
  const { outcome, seenByBob } = await publishAsAlice(t, gw, {});
  assertAllowed(outcome);
  assert.equal((await seenByBob()).properties.headers?.['x-warren-user'], 'alice');
});

test('--identity-header x-user stamps x-user instead', async (t) => {
  const { outcome, seenByBob } = await publishAsAlice(t, renamed, { headers: { 'x-user': 'mallory' } });
  assertAllowed(outcome);
  const headers = (await seenByBob()).properties.headers ?? {};
  assert.equal(headers['x-user'], 'alice');
  assert.equal(headers['x-warren-user'], undefined);
});

test('a user-id property naming someone else is refused 406 and nothing is queued', async (t) => {
  const { alice, broker, q, outcome } = await publishAsAlice(t, gw, { userId: 'mallory' });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.close.args.replyCode, 406);
  assert.equal(outcome.close.args.classId, 60);
  assert.equal(outcome.close.args.methodId, 40);
  alice.closeOk(2);
  await alice.openChannel(2);
  await assertNothingQueued(broker, q);
});

test('a user-id property equal to the token’s sub is accepted', async (t) => {
  const { outcome, seenByBob } = await publishAsAlice(t, gw, { userId: 'alice' });
  assertAllowed(outcome);
  const message = await seenByBob();
  assert.equal(message.properties.headers?.['x-warren-user'], 'alice');
  // In service mode the gateway drops it: the broker would judge user-id
  // against the gateway's own account (guest) and refuse it. The identity
  // header is what names the sender.
  assert.equal(message.properties.userId, undefined);
});
