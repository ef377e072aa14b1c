import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Decimal,
  FRAME_MIN_SIZE,
  FrameSplitter,
  FrameType,
  FrameWriter,
  decodeContentHeader,
  decodeMethod,
  encodeHeartbeat,
  type BasicProperties,
} from '../../shared/index.js';
import { ALL_PROPERTIES, onlyFrame, splitAll, throwsCodec } from './helpers.js';

describe('content header', () => {
  test('all 14 properties round-trip and set all 14 flags', () => {
    const frame = onlyFrame(new FrameWriter().header(3, 12345, ALL_PROPERTIES).take());
    assert.equal(frame.type, FrameType.Header);
    assert.equal(frame.channel, 3);
    // class(2) weight(2) size(8) flags(2)
    assert.equal((frame.payload[12]! << 8) | frame.payload[13]!, 0b1111_1111_1111_1100);
    assert.deepEqual(decodeContentHeader(frame.payload), { classId: 60, bodySize: 12345, properties: ALL_PROPERTIES });
  });

  test('each property alone sets exactly its own flag', () => {
    const names = Object.keys(ALL_PROPERTIES) as (keyof BasicProperties)[];
    names.forEach((name, i) => {
      const properties = { [name]: ALL_PROPERTIES[name] } as BasicProperties;
      const payload = onlyFrame(new FrameWriter().header(1, 0, properties).take()).payload;
      assert.equal((payload[12]! << 8) | payload[13]!, 1 << (15 - i), name);
      assert.deepEqual(decodeContentHeader(payload).properties, properties, name);
    });
  });

  test('no properties: flags zero, nothing after them', () => {
    const payload = onlyFrame(new FrameWriter().header(1, 0, {}).take()).payload;
    assert.deepEqual([...payload], [0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(decodeContentHeader(payload), { classId: 60, bodySize: 0, properties: {} });
  });

  test('body size is exact up to 2^53 - 1', () => {
    const payload = onlyFrame(new FrameWriter().header(1, Number.MAX_SAFE_INTEGER, {}).take()).payload;
    assert.equal(decodeContentHeader(payload).bodySize, Number.MAX_SAFE_INTEGER);
  });

  test('a negative or fractional body size is refused', () => {
    throwsCodec(() => new FrameWriter().header(1, -1, {}), 'ERR_INVALID_VALUE', 502);
    throwsCodec(() => new FrameWriter().header(1, 1.5, {}), 'ERR_INVALID_VALUE', 502);
  });
});

describe('body frames split by frame_max', () => {
  const frameMax = FRAME_MIN_SIZE;
  const room = frameMax - 8;

  function bodyFrames(size: number) {
    const body = Uint8Array.from({ length: size }, (_, i) => i * 7);
    const frames = splitAll([new FrameWriter().body(5, body, frameMax).take()], new FrameSplitter({ frameMax }));
    for (const f of frames) {
      assert.equal(f.type, FrameType.Body);
      assert.equal(f.channel, 5);
      assert.ok(f.raw.length <= frameMax);
    }
    const joined = new Uint8Array(frames.reduce((n, f) => n + f.payload.length, 0));
    let at = 0;
    for (const f of frames) {
      joined.set(f.payload, at);
      at += f.payload.length;
    }
    assert.deepEqual(joined, body);
    return frames.map((f) => f.payload.length);
  }

  test('an exact multiple of frame_max - 8 fills every frame', () => {
    assert.deepEqual(bodyFrames(room * 3), [room, room, room]);
  });

  test('one byte over gets a one-byte last frame', () => {
    assert.deepEqual(bodyFrames(room * 2 + 1), [room, room, 1]);
  });

  test('one byte under fits in one frame', () => {
    assert.deepEqual(bodyFrames(room - 1), [room - 1]);
  });

  test('an empty body gets no frame', () => {
    assert.equal(new FrameWriter().body(5, new Uint8Array(0), frameMax).take().length, 0);
    assert.deepEqual(bodyFrames(0), []);
  });

  test('a frame_max with no room for a body is refused', () => {
    throwsCodec(() => new FrameWriter().body(1, Uint8Array.of(1), 8), 'ERR_INVALID_VALUE', 502);
  });

  test('message() writes method, header and body frames back to back', () => {
    const body = new Uint8Array(room + 10).fill(0x61);
    const bytes = new FrameWriter()
      .message(
        2,
        { name: 'basic.publish', args: { exchange: 'x', routingKey: 'k', mandatory: true, immediate: false } },
        { priority: 1 },
        body,
        frameMax,
      )
      .take();
    const frames = splitAll([bytes], new FrameSplitter({ frameMax }));
    assert.deepEqual(
      frames.map((f) => f.type),
      [FrameType.Method, FrameType.Header, FrameType.Body, FrameType.Body],
    );
    assert.equal(decodeMethod(frames[0]!.payload).name, 'basic.publish');
    assert.equal(decodeContentHeader(frames[1]!.payload).bodySize, body.length);
  });
});

describe('integers outside their field', () => {
  // A DataView would wrap or truncate them, and the peer would act on a number nobody asked for.
  test('are refused, not wrapped: method arguments, properties, decimals', () => {
    const qos = (prefetchCount: number) => () =>
      new FrameWriter().method(1, { name: 'basic.qos', args: { prefetchSize: 0, prefetchCount, global: false } });
    throwsCodec(qos(70_000), 'ERR_INVALID_VALUE', 502);
    throwsCodec(qos(-1), 'ERR_INVALID_VALUE', 502);
    throwsCodec(qos(1.5), 'ERR_INVALID_VALUE', 502);
    throwsCodec(() => new FrameWriter().header(1, 0, { priority: 256 }), 'ERR_INVALID_VALUE', 502);
    const persistent = { deliveryMode: 'persistent' } as unknown as BasicProperties;
    throwsCodec(() => new FrameWriter().header(1, 0, persistent), 'ERR_INVALID_VALUE', 502);
    throwsCodec(() => new FrameWriter().header(1, 0, { headers: { d: new Decimal(2, -1) } }), 'ERR_INVALID_VALUE', 502);
    throwsCodec(
      () => new FrameWriter().header(1, 0, { headers: { d: new Decimal(256, 1) } }),
      'ERR_INVALID_VALUE',
      502,
    );
  });

  test('at the ends of their range are written exactly', () => {
    const w = new FrameWriter();
    w.method(1, { name: 'basic.qos', args: { prefetchSize: 2 ** 32 - 1, prefetchCount: 65_535, global: false } });
    w.header(1, 0, { priority: 255, deliveryMode: 0 });
    const [qos, header] = splitAll([w.take()], new FrameSplitter({ frameMax: FRAME_MIN_SIZE }));
    assert.deepEqual(decodeMethod(qos!.payload).args, {
      prefetchSize: 2 ** 32 - 1,
      prefetchCount: 65_535,
      global: false,
    });
    assert.deepEqual(decodeContentHeader(header!.payload).properties, { priority: 255, deliveryMode: 0 });
  });
});

describe('heartbeat', () => {
  test('is type 8, channel 0, empty, frame-end', () => {
    const expected = [8, 0, 0, 0, 0, 0, 0, 0xce];
    assert.deepEqual([...encodeHeartbeat()], expected);
    assert.deepEqual([...new FrameWriter().heartbeat().take()], expected);
    const frame = onlyFrame(encodeHeartbeat());
    assert.equal(frame.type, FrameType.Heartbeat);
    assert.equal(frame.payload.length, 0);
  });
});

describe('FrameWriter buffer', () => {
  test('take() empties the writer and returns a copy', () => {
    const w = new FrameWriter(8);
    const first = w.heartbeat().take();
    assert.equal(w.length, 0);
    const second = w.method(0, { name: 'tx.select', args: {} }).take();
    assert.deepEqual([...first], [8, 0, 0, 0, 0, 0, 0, 0xce]);
    assert.equal(decodeMethod(onlyFrame(second).payload).name, 'tx.select');
  });

  test('grows past its initial size', () => {
    const body = new Uint8Array(100_000).fill(1);
    const bytes = new FrameWriter(16).body(1, body, 131072).take();
    assert.equal(bytes.length, body.length + 8);
  });
});
