import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FrameSplitter,
  FrameWriter,
  decodeContentHeader,
  decodeMethod,
  encodeMethod,
  peekMethodId,
} from '../../shared/index.js';
import { Bytes, concat, frameBytes, onlyFrame, throwsCodec } from './helpers.js';

function push(bytes: Uint8Array, frameMax = 4096): void {
  new FrameSplitter({ frameMax }).push(bytes, () => {});
}

function pushByteByByte(bytes: Uint8Array, frameMax = 4096): void {
  const splitter = new FrameSplitter({ frameMax });
  for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1), () => {});
}

const ack = encodeMethod(1, { name: 'basic.ack', args: { deliveryTag: 1, multiple: false } });

describe('frame level', () => {
  test('bad frame-end octet: ERR_FRAME_END 501, whole or split', () => {
    const bad = ack.slice();
    bad[bad.length - 1] = 0xcd;
    throwsCodec(() => push(bad), 'ERR_FRAME_END', 501);
    throwsCodec(() => pushByteByByte(bad), 'ERR_FRAME_END', 501);
    throwsCodec(() => push(concat([ack, bad])), 'ERR_FRAME_END', 501);
  });

  test('frames before the bad one are delivered', () => {
    const bad = ack.slice();
    bad[bad.length - 1] = 0;
    let seen = 0;
    throwsCodec(() => new FrameSplitter().push(concat([ack, ack, bad]), () => seen++), 'ERR_FRAME_END', 501);
    assert.equal(seen, 2);
  });

  test('declared size past frameMax: ERR_FRAME_TOO_LARGE 501', () => {
    const big = new FrameWriter().body(1, new Uint8Array(5000), 8192).take();
    throwsCodec(() => push(big), 'ERR_FRAME_TOO_LARGE', 501);
  });

  test('a header declaring 4 GiB throws as soon as its 7 bytes are in, before any allocation', () => {
    const header = new Bytes().octet(3).short(1).long(0xffffffff).build();
    throwsCodec(() => push(header), 'ERR_FRAME_TOO_LARGE', 501);
    const splitter = new FrameSplitter({ frameMax: 4096 });
    for (let i = 0; i < 6; i++) splitter.push(header.subarray(i, i + 1), () => {});
    throwsCodec(() => splitter.push(header.subarray(6), () => {}), 'ERR_FRAME_TOO_LARGE', 501);
    // Behind a whole frame, in the same chunk.
    throwsCodec(() => push(concat([ack, header])), 'ERR_FRAME_TOO_LARGE', 501);
  });

  test('unknown frame type: ERR_FRAME_TYPE 501', () => {
    for (const type of [0, 4, 7, 9, 0xff]) {
      throwsCodec(() => push(frameBytes(type, 0, new Uint8Array(0))), 'ERR_FRAME_TYPE', 501);
      throwsCodec(() => pushByteByByte(frameBytes(type, 0, new Uint8Array(0))), 'ERR_FRAME_TYPE', 501);
    }
  });
});

describe('method payloads', () => {
  test('shortstr running past its frame: ERR_TRUNCATED 501 naming the method', () => {
    // queue.delete: ticket, queue shortstr claiming 200 bytes, only 3 present.
    const payload = new Bytes().short(50).short(40).short(0).octet(200).ascii('abc').build();
    const err = throwsCodec(() => decodeMethod(onlyFrame(frameBytes(1, 1, payload)).payload), 'ERR_TRUNCATED', 501);
    assert.equal(err.classId, 50);
    assert.equal(err.methodId, 40);
  });

  test('longstr running past its frame: ERR_TRUNCATED 501', () => {
    const payload = new Bytes().short(10).short(21).long(1000).ascii('secret').build();
    const err = throwsCodec(() => decodeMethod(payload), 'ERR_TRUNCATED', 501);
    assert.equal(err.classId, 10);
    assert.equal(err.methodId, 21);
  });

  test('a longstr length near 4 GiB is refused without allocating', () => {
    const payload = new Bytes().short(10).short(21).long(0xffffffff).build();
    throwsCodec(() => decodeMethod(payload), 'ERR_TRUNCATED', 501);
  });

  test('table running past its frame: ERR_TRUNCATED 501', () => {
    // exchange.bind: ticket, destination, source, routing key, bits, table claiming 500 bytes.
    const payload = new Bytes()
      .short(40)
      .short(30)
      .short(0)
      .shortstr('d')
      .shortstr('s')
      .shortstr('k')
      .octet(0)
      .long(500)
      .ascii('xx')
      .build();
    throwsCodec(() => decodeMethod(payload), 'ERR_TRUNCATED', 501);
  });

  test('a table entry running past the table (but not the frame): ERR_TRUNCATED 501', () => {
    // Table claims 4 bytes, its S value claims 10; the bytes after the table would satisfy it.
    const payload = new Bytes()
      .short(10)
      .short(11)
      .long(7)
      .shortstr('k')
      .ascii('S')
      .long(10)
      .ascii('0123456789')
      .shortstr('PLAIN')
      .long(0)
      .shortstr('en_US')
      .build();
    throwsCodec(() => decodeMethod(payload), 'ERR_TRUNCATED', 501);
  });

  test('a payload shorter than its class and method ids: ERR_TRUNCATED 501', () => {
    throwsCodec(() => decodeMethod(Uint8Array.of(0, 60, 0)), 'ERR_TRUNCATED', 501);
    throwsCodec(() => peekMethodId(new Uint8Array(0)), 'ERR_TRUNCATED', 501);
  });

  test('arguments missing entirely: ERR_TRUNCATED 501', () => {
    throwsCodec(() => decodeMethod(new Bytes().short(60).short(80).long(0).build()), 'ERR_TRUNCATED', 501);
  });

  test('unknown class or method: ERR_UNKNOWN_METHOD 503 with the ids', () => {
    for (const [classId, methodId] of [
      [60, 999],
      [60, 41],
      [30, 10], // access.request, gone from 0-9-1
      [0, 0],
      [65535, 65535],
    ] as const) {
      const err = throwsCodec(
        () => decodeMethod(new Bytes().short(classId).short(methodId).build()),
        'ERR_UNKNOWN_METHOD',
        503,
      );
      assert.equal(err.classId, classId);
      assert.equal(err.methodId, methodId);
    }
  });

  test('encoding an unknown method name: ERR_UNKNOWN_METHOD 503', () => {
    throwsCodec(() => encodeMethod(1, { name: 'basic.nope', args: {} } as never), 'ERR_UNKNOWN_METHOD', 503);
  });

  test('unknown field type: ERR_UNKNOWN_FIELD_TYPE 502', () => {
    for (const type of 'ZzYQ\x00\xff') {
      const table = new Bytes().shortstr('k').ascii(type).octet(0).build();
      const startOk = concat([
        new Bytes().short(10).short(11).long(table.length).build(),
        table,
        new Bytes().shortstr('PLAIN').long(0).shortstr('').build(),
      ]);
      const err = throwsCodec(() => decodeMethod(startOk), 'ERR_UNKNOWN_FIELD_TYPE', 502);
      assert.equal(err.classId, 10);
      assert.equal(err.methodId, 11);
    }
  });

  test('trailing bytes after the last argument: ERR_TRAILING_BYTES 501', () => {
    const payload = concat([onlyFrame(ack).payload, Uint8Array.of(0)]);
    const err = throwsCodec(() => decodeMethod(payload), 'ERR_TRAILING_BYTES', 501);
    assert.equal(err.classId, 60);
    assert.equal(err.methodId, 80);
    throwsCodec(() => decodeMethod(new Bytes().short(90).short(10).octet(1).build()), 'ERR_TRAILING_BYTES', 501);
  });
});

/** A field table nested `depth` deep, as `{a: {a: … {}}}` with F values, or `[[…[]]]` arrays with A values. */
function deeplyNested(depth: number, kind: 'F' | 'A'): Uint8Array {
  // Each level: F: name(1+1) type(1) size(4); A: type(1) size(4).
  const step = kind === 'F' ? 7 : 5;
  const total = 4 + 2 + 1 + step * depth + 4; // outer table, its one entry "a"+type, the levels, the innermost size
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total - 4);
  out.set([1, 0x61, kind.charCodeAt(0)], 4);
  let at = 7;
  for (let level = 0; level < depth; level++) {
    view.setUint32(at, total - at - 4);
    at += 4;
    if (kind === 'F') out.set([1, 0x61, 0x46], at);
    else out[at] = 0x41;
    at += step - 4;
  }
  view.setUint32(at, 0);
  return out;
}

describe('deep nesting', () => {
  for (const kind of ['F', 'A'] as const) {
    test(`${kind} nested 10,000 deep: ERR_TOO_DEEP 502, no stack overflow`, () => {
      const table = deeplyNested(10_000, kind);
      const payload = concat([
        new Bytes().short(10).short(11).build(),
        table,
        new Bytes().shortstr('PLAIN').long(0).shortstr('').build(),
      ]);
      throwsCodec(() => decodeMethod(payload), 'ERR_TOO_DEEP', 502);
      const header = concat([
        new Bytes()
          .short(60)
          .short(0)
          .long(0)
          .long(0)
          .short(1 << 13)
          .build(),
        table,
      ]);
      throwsCodec(() => decodeContentHeader(header), 'ERR_TOO_DEEP', 502);
    });
  }

  test('the nesting builder makes valid tables at a legal depth', () => {
    const table = deeplyNested(5, 'F');
    const payload = concat([
      new Bytes().short(10).short(11).build(),
      table,
      new Bytes().shortstr('PLAIN').long(0).shortstr('').build(),
    ]);
    const m = decodeMethod(payload);
    assert.equal(m.name, 'connection.startOk');
    assert.deepEqual(m.name === 'connection.startOk' && m.args.clientProperties, {
      a: { a: { a: { a: { a: { a: {} } } } } },
    });
  });
});

describe('content header payloads', () => {
  test('trailing bytes: ERR_TRAILING_BYTES 501', () => {
    const payload = concat([onlyFrame(new FrameWriter().header(1, 0, {}).take()).payload, Uint8Array.of(0)]);
    throwsCodec(() => decodeContentHeader(payload), 'ERR_TRAILING_BYTES', 501);
  });

  test('a property running past the frame: ERR_TRUNCATED 501', () => {
    const payload = new Bytes()
      .short(60)
      .short(0)
      .long(0)
      .long(0)
      .short(1 << 15)
      .octet(10)
      .ascii('app')
      .build();
    throwsCodec(() => decodeContentHeader(payload), 'ERR_TRUNCATED', 501);
  });

  test('flags that class basic does not define: 502', () => {
    for (const flags of [1, 2]) {
      const payload = new Bytes().short(60).short(0).long(0).long(0).short(flags).build();
      throwsCodec(() => decodeContentHeader(payload), 'ERR_INVALID_VALUE', 502);
    }
  });

  test('shorter than its fixed part: ERR_TRUNCATED 501', () => {
    throwsCodec(() => decodeContentHeader(new Uint8Array(13)), 'ERR_TRUNCATED', 501);
  });

  test('an unknown field type in headers: ERR_UNKNOWN_FIELD_TYPE 502', () => {
    const table = new Bytes().shortstr('k').ascii('?').build();
    const payload = concat([
      new Bytes()
        .short(60)
        .short(0)
        .long(0)
        .long(0)
        .short(1 << 13)
        .long(table.length)
        .build(),
      table,
    ]);
    throwsCodec(() => decodeContentHeader(payload), 'ERR_UNKNOWN_FIELD_TYPE', 502);
  });
});
