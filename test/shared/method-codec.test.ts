import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FrameType,
  FrameWriter,
  allMethods,
  decodeMethod,
  encodeMethod,
  methodInfo,
  methodInfoByName,
  peekMethodId,
  type Method,
} from '../../shared/index.js';
import { onlyFrame, sampleMethod } from './helpers.js';

const bitPatterns: Record<string, (i: number) => boolean> = {
  alternating: (i) => i % 2 === 0,
  'all set': () => true,
  'none set': () => false,
};

describe('every method round-trips through FrameWriter, FrameSplitter and decodeMethod', () => {
  for (const info of allMethods()) {
    test(`${info.name} (${info.classId}/${info.methodId})`, () => {
      for (const [pattern, bits] of Object.entries(bitPatterns)) {
        const method = sampleMethod(info, bits);
        const bytes = new FrameWriter().method(7, method).take();
        const frame = onlyFrame(bytes);
        assert.equal(frame.type, FrameType.Method);
        assert.equal(frame.channel, 7);
        assert.deepEqual(peekMethodId(frame.payload), { classId: info.classId, methodId: info.methodId });
        assert.deepEqual(decodeMethod(frame.payload), method, `bits ${pattern}`);
      }
    });
  }
});

describe('method table', () => {
  test('covers AMQP 0-9-1 with RabbitMQ extensions', () => {
    const names = [...allMethods()].map((m) => m.name);
    // 5 classes of 0-9-1 plus confirm and tx; access is gone from 0-9-1.
    assert.equal(names.length, 64);
    for (const name of [
      'basic.nack',
      'confirm.select',
      'confirm.selectOk',
      'exchange.bind',
      'exchange.unbindOk',
      'connection.blocked',
      'connection.unblocked',
      'connection.updateSecret',
      'connection.updateSecretOk',
    ] as const) {
      assert.ok(names.includes(name), name);
    }
    assert.equal(methodInfoByName('connection.updateSecret').methodId, 70);
    assert.equal(methodInfoByName('connection.updateSecretOk').methodId, 71);
    assert.equal(methodInfoByName('exchange.unbindOk').methodId, 51);
    assert.equal(methodInfo(60, 40)?.name, 'basic.publish');
    assert.equal(methodInfo(60, 41), undefined);
    for (const name of ['basic.publish', 'basic.return', 'basic.deliver', 'basic.getOk'] as const) {
      assert.equal(methodInfoByName(name).content, true, name);
    }
    assert.equal(methodInfoByName('basic.ack').content, false);
  });

  test('bits pack into one octet, least significant first', () => {
    const method: Method = {
      name: 'queue.declare',
      args: {
        queue: 'q',
        passive: true,
        durable: false,
        exclusive: true,
        autoDelete: false,
        noWait: true,
        arguments: {},
      },
    };
    const payload = onlyFrame(encodeMethod(1, method)).payload;
    // ids(4) ticket(2) shortstr(2) bits(1) table(4)
    assert.equal(payload.length, 13);
    assert.equal(payload[8], 0b10101);
  });

  test('connection.open keeps its reserved bit packed with nothing else', () => {
    const payload = onlyFrame(encodeMethod(0, { name: 'connection.open', args: { virtualHost: '/' } })).payload;
    assert.deepEqual([...payload], [0, 10, 0, 40, 1, 0x2f, 0, 0]);
  });

  test('longlong arguments stay exact up to 2^53 - 1', () => {
    const method: Method = { name: 'basic.ack', args: { deliveryTag: 2 ** 53 - 1, multiple: true } };
    assert.deepEqual(decodeMethod(onlyFrame(encodeMethod(1, method)).payload), method);
  });

  test('missing arguments encode as zero values', () => {
    const method = { name: 'basic.qos', args: {} } as unknown as Method;
    assert.deepEqual(decodeMethod(onlyFrame(encodeMethod(1, method)).payload), {
      name: 'basic.qos',
      args: { prefetchSize: 0, prefetchCount: 0, global: false },
    });
  });
});
