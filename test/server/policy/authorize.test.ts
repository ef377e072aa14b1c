import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, authorizeVhost, replyText } from '../../../server/policy/authorize.js';
import { Permissions } from '../../../server/policy/permissions.js';
import { parseScopes } from '../../../server/policy/scopes.js';
import { makeMethod } from './make-method.js';

function permissions(...scopes: string[]): Permissions {
  return new Permissions(parseScopes({ scope: scopes }, { prefix: 'rabbitmq.' }));
}

const none = permissions();
const all = permissions('rabbitmq.configure:*/*', 'rabbitmq.write:*/*', 'rabbitmq.read:*/*');

test('each method of the table is allowed by its grant and refused without it', () => {
  const cases: [ReturnType<typeof makeMethod>, string[], string, number, number][] = [
    [
      makeMethod('exchange.declare', { exchange: 'x' }),
      ['configure:%2F/x'],
      "configure access to exchange 'x'",
      40,
      10,
    ],
    [makeMethod('exchange.delete', { exchange: 'x' }), ['configure:%2F/x'], "configure access to exchange 'x'", 40, 20],
    [makeMethod('queue.declare', { queue: 'q' }), ['configure:%2F/q'], "configure access to queue 'q'", 50, 10],
    [makeMethod('queue.delete', { queue: 'q' }), ['configure:%2F/q'], "configure access to queue 'q'", 50, 40],
    [
      makeMethod('exchange.bind', { destination: 'd', source: 's' }),
      ['write:%2F/d', 'read:%2F/s'],
      "write access to exchange 'd'",
      40,
      30,
    ],
    [
      makeMethod('exchange.unbind', { destination: 'd', source: 's' }),
      ['write:%2F/d', 'read:%2F/s'],
      "write access to exchange 'd'",
      40,
      40,
    ],
    [
      makeMethod('queue.bind', { queue: 'q', exchange: 'x' }),
      ['write:%2F/q', 'read:%2F/x'],
      "write access to queue 'q'",
      50,
      20,
    ],
    [
      makeMethod('queue.unbind', { queue: 'q', exchange: 'x' }),
      ['write:%2F/q', 'read:%2F/x'],
      "write access to queue 'q'",
      50,
      50,
    ],
    [
      makeMethod('basic.publish', { exchange: 'x', routingKey: 'k' }),
      ['write:%2F/x'],
      "write access to exchange 'x'",
      60,
      40,
    ],
    [makeMethod('basic.consume', { queue: 'q' }), ['read:%2F/q'], "read access to queue 'q'", 60, 20],
    [makeMethod('basic.get', { queue: 'q' }), ['read:%2F/q'], "read access to queue 'q'", 60, 70],
    [makeMethod('queue.purge', { queue: 'q' }), ['read:%2F/q'], "read access to queue 'q'", 50, 30],
  ];
  for (const [method, grants, refusal, classId, methodId] of cases) {
    const granted = permissions(...grants.map((g) => `rabbitmq.${g}`));
    assert.equal(authorize(method, '/', granted, 'alice'), undefined, `${method.name} granted`);
    assert.equal(authorize(method, '/', all, 'alice'), undefined, `${method.name} with *`);
    const denial = authorize(method, '/', none, 'alice');
    assert.ok(denial, `${method.name} refused`);
    assert.equal(denial.replyCode, 403);
    assert.equal(denial.classId, classId, method.name);
    assert.equal(denial.methodId, methodId, method.name);
    assert.equal(denial.reason, `ACCESS_REFUSED - ${refusal} in vhost '/' refused for user 'alice'`);
    // The same grants in another vhost do not count.
    assert.ok(authorize(method, 'other', granted, 'alice'), `${method.name} in another vhost`);
  }
});

test('binding needs both sides', () => {
  const method = makeMethod('queue.bind', { queue: 'q', exchange: 'x', routingKey: 'k' });
  assert.equal(authorize(method, '/', permissions('rabbitmq.write:%2F/q'), 'a')?.access?.name, 'x');
  assert.equal(authorize(method, '/', permissions('rabbitmq.read:%2F/x'), 'a')?.access?.name, 'q');
});

test('passive declares and methods outside the table need nothing', () => {
  for (const method of [
    makeMethod('queue.declare', { queue: 'q', passive: true }),
    makeMethod('exchange.declare', { exchange: 'x', passive: true }),
    makeMethod('basic.qos', { prefetchCount: 10 }),
    makeMethod('basic.ack', { deliveryTag: 1 }),
    makeMethod('channel.open'),
    makeMethod('confirm.select'),
    makeMethod('tx.commit'),
  ]) {
    assert.equal(authorize(method, '/', none, 'alice'), undefined, method.name);
  }
});

test('routing-key restrictions on publish and bind name the topic', () => {
  const p = permissions(
    'rabbitmq.write:%2F/amq.topic/chat.*',
    'rabbitmq.read:%2F/amq.topic/chat.*',
    'rabbitmq.write:%2F/q',
  );
  assert.equal(
    authorize(makeMethod('basic.publish', { exchange: 'amq.topic', routingKey: 'chat.room1' }), '/', p, 'a'),
    undefined,
  );
  const publish = authorize(makeMethod('basic.publish', { exchange: 'amq.topic', routingKey: 'admin.x' }), '/', p, 'a');
  assert.equal(
    publish?.reason,
    "ACCESS_REFUSED - write access to topic 'admin.x' in exchange 'amq.topic' in vhost '/' refused for user 'a'",
  );
  assert.equal(
    authorize(makeMethod('queue.bind', { queue: 'q', exchange: 'amq.topic', routingKey: 'chat.*' }), '/', p, 'a'),
    undefined,
  );
  assert.ok(authorize(makeMethod('queue.bind', { queue: 'q', exchange: 'amq.topic', routingKey: '#' }), '/', p, 'a'));
});

test('the default exchange is checked as amq.default', () => {
  const method = makeMethod('basic.publish', { exchange: '', routingKey: 'reply-queue' });
  assert.equal(authorize(method, '/', permissions('rabbitmq.write:%2F/amq.default'), 'a'), undefined);
  assert.match(authorize(method, '/', none, 'a')?.reason ?? '', /exchange 'amq\.default'/);
});

test('server-named queues need amq.gen-* (or *)', () => {
  const method = makeMethod('queue.declare', { queue: '', exclusive: true });
  assert.equal(authorize(method, '/', permissions('rabbitmq.configure:%2F/amq.gen-*'), 'a'), undefined);
  assert.ok(authorize(method, '/', permissions('rabbitmq.configure:%2F/mine-*'), 'a'));
  const consume = makeMethod('basic.consume', { queue: '' });
  const reader = permissions('rabbitmq.read:%2F/amq.gen-*');
  assert.equal(authorize(consume, '/', reader, 'a', { lastQueue: 'amq.gen-abc' }), undefined);
  assert.ok(authorize(consume, '/', reader, 'a'));
});

test('reserved names are refused even with every permission', () => {
  const denial = authorize(makeMethod('queue.declare', { queue: 'amq.mine' }), '/', all, 'a');
  assert.equal(denial?.replyCode, 403);
  assert.equal(denial?.access, undefined);
  assert.equal(denial?.reason, "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'");
  assert.ok(authorize(makeMethod('exchange.delete', { exchange: 'amq.direct' }), '/', all, 'a'));
  assert.ok(authorize(makeMethod('queue.bind', { queue: 'q', exchange: '' }), '/', all, 'a'));
  assert.equal(
    authorize(makeMethod('exchange.declare', { exchange: 'amq.topic', type: 'topic' }), '/', all, 'a'),
    undefined,
  );
});

test('wildcards and percent-encoding in vhost and names', () => {
  const p = permissions('rabbitmq.read:team-*/inbox.%2A', 'rabbitmq.write:%2F/a%2Fb');
  assert.equal(authorize(makeMethod('basic.get', { queue: 'inbox.alice' }), 'team-red', p, 'a'), undefined);
  assert.ok(authorize(makeMethod('basic.get', { queue: 'outbox.alice' }), 'team-red', p, 'a'));
  assert.equal(authorize(makeMethod('basic.publish', { exchange: 'a/b' }), '/', p, 'a'), undefined);
});

test('a name or routing key read from bytes that are not UTF-8 is refused, whatever the grants', () => {
  // The codec reads such bytes as U+FFFD; the broker would use the bytes.
  const notUtf8 = new TextDecoder().decode(Uint8Array.of(0x71, 0xff)); // 'q' and an invalid byte
  const denial = authorize(makeMethod('queue.declare', { queue: notUtf8 }), '/', all, 'a');
  assert.equal(denial?.replyCode, 403);
  assert.equal(
    denial?.reason,
    "ACCESS_REFUSED - queue name 'q\uFFFD' in vhost '/' is not valid UTF-8, so no grant can be checked against it",
  );
  const bind = makeMethod('queue.bind', { queue: 'q', exchange: 'amq.topic', routingKey: `a.${notUtf8}` });
  assert.match(authorize(bind, '/', all, 'a')?.reason ?? '', /routing key 'a\.q\uFFFD'/);
  // The dead-letter exchange given as bytes is read the same way.
  const dlx = makeMethod('queue.declare', { queue: 'q', arguments: { 'x-dead-letter-exchange': Uint8Array.of(0xc3) } });
  assert.match(authorize(dlx, '/', all, 'a')?.reason ?? '', /exchange name '\uFFFD'/);
  assert.equal(authorize(makeMethod('queue.declare', { queue: 'qé' }), '/', all, 'a'), undefined);
  assert.equal(authorizeVhost(`v${notUtf8}`, permissions('rabbitmq.read:*/*'), 'a')?.replyCode, 530);
});

test('vhost access: 530 NOT_ALLOWED for a vhost no grant names', () => {
  const p = permissions('rabbitmq.read:%2F/*');
  assert.equal(authorizeVhost('/', p, 'alice'), undefined);
  const denial = authorizeVhost('prod', p, 'alice');
  assert.equal(denial?.replyCode, 530);
  assert.equal(denial?.classId, 10);
  assert.equal(denial?.methodId, 40);
  assert.equal(denial?.reason, "NOT_ALLOWED - access to vhost 'prod' refused for user 'alice'");
});

test('reply texts fit a shortstr without splitting characters', () => {
  const long = authorize(makeMethod('basic.publish', { exchange: 'é'.repeat(200) }), '/', none, 'alice');
  assert.ok(long);
  assert.ok(new TextEncoder().encode(long.reason).length <= 255);
  assert.ok(!long.reason.includes('\uFFFD'));
  assert.equal(replyText('short'), 'short');
  const cut = replyText('a' + '€'.repeat(100));
  assert.equal(cut, 'a' + '€'.repeat(84));
});
