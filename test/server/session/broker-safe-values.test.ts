import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AmqpCodecError, Decimal, Typed } from '../../../shared/index.js';
import { assertBrokerSafe } from '../../../server/session/broker-safe-values.js';

function refused(value: Parameters<typeof assertBrokerSafe>[0]): void {
  assert.throws(
    () => assertBrokerSafe(value),
    (err: unknown) => err instanceof AmqpCodecError && err.code === 'ERR_INVALID_VALUE' && err.replyCode === 502,
  );
}

test('values RabbitMQ parses pass', () => {
  assertBrokerSafe({
    s: 'x',
    i: 1,
    d: 1.5,
    l: 2n ** 62n,
    f: new Typed('f', 1.5),
    b: new Typed('B', 200),
    dec: new Decimal(2, 314),
    t: new Date(0),
    x: new Uint8Array([1]),
    nested: { a: [1, 'two', null, { deep: true }] },
  });
});

test('NaN and infinite floats are refused wherever they are nested', () => {
  refused({ d: Number.NaN });
  refused({ d: Number.POSITIVE_INFINITY });
  refused({ f: new Typed('f', Number.NEGATIVE_INFINITY) });
  refused({ nested: { list: [1, [Number.NaN]] } });
});

test("unsigned 64-bit 'L' values are refused", () => {
  refused({ big: new Typed('L', 1n) });
});
