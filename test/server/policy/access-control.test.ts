import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMethods } from '../../../shared/index.js';
import {
  SERVER_NAMED_QUEUE_PROBE,
  checkReservedName,
  requiredAccess,
  type Access,
} from '../../../server/policy/access-control.js';
import { makeMethod } from './make-method.js';

function show(accesses: readonly Access[]): string[] {
  return accesses.map(
    (a) => `${a.kind} ${a.resource} ${a.name}${a.routingKey === undefined ? '' : ` [${a.routingKey}]`}`,
  );
}

test("RabbitMQ's access-control table", () => {
  const cases: [ReturnType<typeof makeMethod>, string[]][] = [
    [makeMethod('exchange.declare', { exchange: 'x', type: 'topic' }), ['configure exchange x']],
    [makeMethod('exchange.declare', { exchange: 'x', passive: true }), []],
    [makeMethod('exchange.delete', { exchange: 'x' }), ['configure exchange x']],
    [makeMethod('queue.declare', { queue: 'q' }), ['configure queue q']],
    [makeMethod('queue.declare', { queue: 'q', passive: true }), []],
    [makeMethod('queue.delete', { queue: 'q' }), ['configure queue q']],
    [
      makeMethod('exchange.bind', { destination: 'd', source: 's', routingKey: 'k' }),
      ['write exchange d', 'read exchange s [k]'],
    ],
    [
      makeMethod('exchange.unbind', { destination: 'd', source: 's', routingKey: 'k' }),
      ['write exchange d', 'read exchange s [k]'],
    ],
    [
      makeMethod('queue.bind', { queue: 'q', exchange: 'x', routingKey: 'k' }),
      ['write queue q', 'read exchange x [k]'],
    ],
    [
      makeMethod('queue.unbind', { queue: 'q', exchange: 'x', routingKey: 'k' }),
      ['write queue q', 'read exchange x [k]'],
    ],
    [makeMethod('basic.publish', { exchange: 'x', routingKey: 'k' }), ['write exchange x [k]']],
    [makeMethod('basic.get', { queue: 'q' }), ['read queue q']],
    [makeMethod('basic.consume', { queue: 'q' }), ['read queue q']],
    [makeMethod('queue.purge', { queue: 'q' }), ['read queue q']],
  ];
  for (const [method, expected] of cases) {
    assert.deepEqual(show(requiredAccess(method)), expected, method.name);
  }
});

test('every other method needs no permission', () => {
  const covered = new Set([
    'exchange.declare',
    'exchange.delete',
    'exchange.bind',
    'exchange.unbind',
    'queue.declare',
    'queue.delete',
    'queue.bind',
    'queue.unbind',
    'queue.purge',
    'basic.publish',
    'basic.get',
    'basic.consume',
  ]);
  let checked = 0;
  for (const info of allMethods()) {
    if (covered.has(info.name)) continue;
    assert.deepEqual(requiredAccess(makeMethod(info.name)), [], info.name);
    checked++;
  }
  assert.ok(checked > 40);
});

test('publishing to the default exchange is write on amq.default', () => {
  assert.deepEqual(show(requiredAccess(makeMethod('basic.publish', { exchange: '', routingKey: 'q' }))), [
    'write exchange amq.default [q]',
  ]);
});

test('a server-named queue is checked as a representative amq.gen- name', () => {
  assert.match(SERVER_NAMED_QUEUE_PROBE, /^amq\.gen-.{22}$/);
  assert.deepEqual(show(requiredAccess(makeMethod('queue.declare', { queue: '' }))), [
    `configure queue ${SERVER_NAMED_QUEUE_PROBE}`,
  ]);
});

test("an empty queue name means the channel's last declared queue", () => {
  for (const name of ['basic.consume', 'basic.get', 'queue.purge'] as const) {
    assert.deepEqual(show(requiredAccess(makeMethod(name, { queue: '' }), { lastQueue: 'amq.gen-1' })), [
      'read queue amq.gen-1',
    ]);
    assert.deepEqual(show(requiredAccess(makeMethod(name, { queue: '' }))), ['read queue ']);
  }
  assert.deepEqual(
    show(requiredAccess(makeMethod('queue.bind', { queue: '', exchange: 'x' }), { lastQueue: 'last' })),
    ['write queue last', 'read exchange x []'],
  );
  assert.deepEqual(show(requiredAccess(makeMethod('queue.delete', { queue: '' }), { lastQueue: 'last' })), [
    'configure queue last',
  ]);
});

test('alternate and dead-letter exchanges need write on them and read on the declared resource', () => {
  assert.deepEqual(
    show(requiredAccess(makeMethod('exchange.declare', { exchange: 'x', arguments: { 'alternate-exchange': 'ae' } }))),
    ['configure exchange x', 'write exchange ae', 'read exchange x'],
  );
  assert.deepEqual(
    show(requiredAccess(makeMethod('queue.declare', { queue: 'q', arguments: { 'x-dead-letter-exchange': '' } }))),
    ['configure queue q', 'write exchange amq.default', 'read queue q'],
  );
  // Given as bytes, the exchange RabbitMQ will use is named by all of them, a leading U+FEFF included.
  for (const dlx of ['dlx', '\uFEFFdlx']) {
    const method = makeMethod('queue.declare', {
      queue: 'q',
      arguments: { 'x-dead-letter-exchange': new TextEncoder().encode(dlx) },
    });
    assert.deepEqual(show(requiredAccess(method)), ['configure queue q', `write exchange ${dlx}`, 'read queue q']);
  }
  assert.deepEqual(
    show(
      requiredAccess(
        makeMethod('exchange.declare', { exchange: 'x', passive: true, arguments: { 'alternate-exchange': 'ae' } }),
      ),
    ),
    [],
  );
});

test('reserved names: amq.* creation, the default exchange, system exchange deletion', () => {
  const refused = [
    makeMethod('queue.declare', { queue: 'amq.mine' }),
    makeMethod('exchange.declare', { exchange: 'amq.mine' }),
    makeMethod('exchange.declare', { exchange: '' }),
    makeMethod('exchange.delete', { exchange: '' }),
    makeMethod('exchange.delete', { exchange: 'amq.topic' }),
    makeMethod('exchange.bind', { destination: '', source: 'x' }),
    makeMethod('exchange.unbind', { destination: 'x', source: '' }),
    makeMethod('queue.bind', { queue: 'q', exchange: '' }),
    makeMethod('queue.unbind', { queue: 'q', exchange: '' }),
  ];
  for (const method of refused) {
    assert.equal(typeof checkReservedName(method, '/'), 'string', JSON.stringify(method.args));
  }
  const allowed = [
    makeMethod('queue.declare', { queue: 'amq.mine', passive: true }),
    makeMethod('queue.declare', { queue: '' }),
    makeMethod('exchange.declare', { exchange: 'amq.topic', type: 'topic', durable: true }),
    makeMethod('exchange.declare', { exchange: 'amq.mine', passive: true }),
    makeMethod('exchange.declare', { exchange: 'mine' }),
    makeMethod('exchange.delete', { exchange: 'mine' }),
    makeMethod('queue.bind', { queue: 'q', exchange: 'amq.topic' }),
    makeMethod('basic.publish', { exchange: '' }),
    makeMethod('basic.consume', { queue: 'amq.rabbitmq.reply-to' }),
  ];
  for (const method of allowed) {
    assert.equal(checkReservedName(method, '/'), undefined, JSON.stringify(method.args));
  }
});
