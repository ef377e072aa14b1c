import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameSplitter, FrameWriter, PROTOCOL_HEADER, type Frame, type SpareMemory } from '../../shared/index.js';
import { ALL_PROPERTIES, concat, splitAll, throwsCodec } from './helpers.js';

const FRAME_MAX = 4096;

/** Method, header, two body frames, heartbeat, an ack on another channel, an empty-body message. */
function goldenFrames(): Uint8Array[] {
  const w = new FrameWriter();
  const body = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
  const parts: Uint8Array[] = [];
  parts.push(
    w
      .method(1, {
        name: 'basic.publish',
        args: { exchange: 'ex', routingKey: 'rk', mandatory: true, immediate: false },
      })
      .take(),
  );
  parts.push(w.header(1, body.length, ALL_PROPERTIES).take());
  parts.push(w.body(1, body.subarray(0, 4088), FRAME_MAX).take());
  parts.push(w.body(1, body.subarray(4088), FRAME_MAX).take());
  parts.push(w.heartbeat().take());
  parts.push(w.method(65535, { name: 'basic.ack', args: { deliveryTag: 42, multiple: false } }).take());
  parts.push(
    w
      .method(2, {
        name: 'basic.deliver',
        args: { consumerTag: 'c', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' },
      })
      .take(),
  );
  parts.push(w.header(2, 0, {}).take());
  return parts;
}

const golden = goldenFrames();
const stream = concat(golden);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Each frame as `type/channel/raw hex`, after checking that its payload is its raw bytes minus header and end. */
function summary(frames: Frame[]): string[] {
  return frames.map((f) => {
    assert.equal(f.payload.buffer, f.raw.buffer);
    assert.equal(f.payload.byteOffset, f.raw.byteOffset + 7);
    assert.equal(f.payload.length, f.raw.length - 8);
    return `${f.type}/${f.channel}/${hex(f.raw)}`;
  });
}

const expected = summary(splitAll([stream], new FrameSplitter({ frameMax: FRAME_MAX })));

/** A copy with its own ArrayBuffer, so view identity can be checked per chunk. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

describe('FrameSplitter on a golden stream', () => {
  test('all in one chunk gives the frames written', () => {
    assert.equal(expected.length, golden.length);
    assert.deepEqual(
      expected,
      golden.map((bytes) => `${bytes[0]}/${(bytes[1]! << 8) | bytes[2]!}/${hex(bytes)}`),
    );
    assert.deepEqual(
      expected.map((f) => f.split('/', 2).join('/')),
      ['1/1', '2/1', '3/1', '3/1', '8/0', '1/65535', '1/2', '2/2'],
    );
  });

  test('split into two chunks at every offset', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
      const frames = splitAll([own(stream.subarray(0, cut)), own(stream.subarray(cut))], splitter);
      assert.deepEqual(summary(frames), expected, `cut at ${cut}`);
      assert.equal(splitter.buffering, false);
    }
  });

  test('one byte at a time', () => {
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    const frames: Frame[] = [];
    for (let i = 0; i < stream.length; i++) {
      splitter.push(stream.subarray(i, i + 1), (f) => frames.push(f));
      assert.equal(splitter.buffering, !golden.some((_, k) => concat(golden.slice(0, k + 1)).length === i + 1));
    }
    assert.deepEqual(summary(frames), expected);
  });

  test('split into three chunks at many offset pairs', () => {
    for (let a = 0; a <= stream.length; a += 97) {
      for (let b = a; b <= stream.length; b += 89) {
        const frames = splitAll(
          [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)],
          new FrameSplitter({ frameMax: FRAME_MAX }),
        );
        assert.deepEqual(summary(frames), expected, `cuts at ${a}, ${b}`);
      }
    }
  });

  test('frames that arrive whole are views into the chunk', () => {
    const chunk = own(stream);
    const frames = splitAll([chunk], new FrameSplitter({ frameMax: FRAME_MAX }));
    let offset = 0;
    for (const f of frames) {
      assert.equal(f.raw.buffer, chunk.buffer);
      assert.equal(f.payload.buffer, chunk.buffer);
      assert.equal(f.raw.byteOffset, offset);
      assert.equal(f.payload.byteOffset, offset + 7);
      offset += f.raw.length;
    }
  });

  test('after a split, frames wholly inside the second chunk are views into it', () => {
    const firstEnd = golden[0]!.length;
    const cut = firstEnd + 3; // part way into the header frame
    const first = own(stream.subarray(0, cut));
    const second = own(stream.subarray(cut));
    const frames = splitAll([first, second], new FrameSplitter({ frameMax: FRAME_MAX }));
    assert.equal(frames[0]!.raw.buffer, first.buffer);
    assert.notEqual(frames[1]!.raw.buffer, first.buffer);
    assert.notEqual(frames[1]!.raw.buffer, second.buffer);
    for (const f of frames.slice(2)) assert.equal(f.raw.buffer, second.buffer);
  });

  test('an empty chunk changes nothing', () => {
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    const frames = splitAll(
      [new Uint8Array(0), stream.subarray(0, 10), new Uint8Array(0), stream.subarray(10)],
      splitter,
    );
    assert.deepEqual(summary(frames), expected);
  });

  test('frameMax can be raised after tune', () => {
    const big = new FrameWriter().body(1, new Uint8Array(10_000), 131072).take();
    const splitter = new FrameSplitter();
    throwsCodec(() => splitter.push(big, () => {}), 'ERR_FRAME_TOO_LARGE', 501);
    const tuned = new FrameSplitter();
    tuned.frameMax = 131072;
    assert.equal(splitAll([big], tuned).length, 1);
  });

  test('a frame of exactly frameMax is accepted, one byte more is not', () => {
    const exact = new FrameWriter().body(1, new Uint8Array(FRAME_MAX - 8), FRAME_MAX).take();
    assert.equal(exact.length, FRAME_MAX);
    assert.equal(splitAll([exact], new FrameSplitter({ frameMax: FRAME_MAX })).length, 1);
    const over = new FrameWriter().body(1, new Uint8Array(FRAME_MAX - 7), FRAME_MAX + 1).take();
    throwsCodec(() => new FrameSplitter({ frameMax: FRAME_MAX }).push(over, () => {}), 'ERR_FRAME_TOO_LARGE', 501);
  });
});

describe('release: reusing the memory of split frames', () => {
  /** Body frames of 3000 bytes fed in chunks of 1100, so every one is split and most end where the next begins; release after each chunk. */
  function splitBodies(release: (splitter: FrameSplitter) => void): Frame[][] {
    const w = new FrameWriter();
    const frames = Array.from({ length: 6 }, (_, n) =>
      w
        .body(
          1,
          Uint8Array.from({ length: 2992 }, (_, i) => (i + n) & 0xff),
          FRAME_MAX,
        )
        .take(),
    );
    const all = concat(frames);
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    const perChunk: Frame[][] = [];
    for (let at = 0; at < all.length; at += 1100) {
      const got: Frame[] = [];
      splitter.push(own(all.subarray(at, at + 1100)), (f) => got.push(f));
      // What is relayed is checked before the memory may be used again, as a relay sends it before then.
      for (const f of got) assert.deepEqual(f.raw, frames[perChunk.flat().length + got.indexOf(f)]);
      perChunk.push(got);
      release(splitter);
    }
    assert.equal(perChunk.flat().length, frames.length);
    return perChunk;
  }

  test('released unheld while streaming, split frames take turns in two buffers, each frame intact when emitted', () => {
    const buffers = new Set(splitBodies((s) => s.release(false, true)).flatMap((got) => got.map((f) => f.raw.buffer)));
    assert.equal(buffers.size, 2);
  });

  test('released held (still referred to), every split frame gets memory of its own', () => {
    const buffers = new Set(splitBodies((s) => s.release(true, true)).flatMap((got) => got.map((f) => f.raw.buffer)));
    assert.equal(buffers.size, 6);
  });

  test('a frame larger than the spare memory gets a buffer of its own', () => {
    const w = new FrameWriter();
    const small = w.body(1, new Uint8Array(100), FRAME_MAX).take();
    const large = w.body(1, new Uint8Array(2000), FRAME_MAX).take();
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    const got: Frame[] = [];
    for (const frame of [small, large]) {
      splitter.push(own(frame.subarray(0, 10)), (f) => got.push(f));
      splitter.push(own(frame.subarray(10)), (f) => got.push(f));
      splitter.release(false, true);
    }
    assert.deepEqual(
      got.map((f) => f.raw),
      [small, large],
    );
    assert.notEqual(got[0]!.raw.buffer, got[1]!.raw.buffer);
  });
});

describe('release: spare memory across splitters', () => {
  /** A split frame gathered by `splitter` (its first 10 bytes in one chunk, the rest in the next), released as told. */
  function gatherOne(splitter: FrameSplitter, held: boolean, streaming: boolean): Frame {
    const frame = new FrameWriter().body(1, new Uint8Array(2000).fill(7), FRAME_MAX).take();
    let got: Frame | undefined;
    splitter.push(own(frame.subarray(0, 10)), (f) => (got = f));
    splitter.push(own(frame.subarray(10)), (f) => (got = f));
    splitter.release(held, streaming);
    assert.deepEqual(got!.raw, frame);
    return got!;
  }

  /** What a splitter gives and takes, in order. */
  function recordingSpares(): SpareMemory & { given: ArrayBuffer[] } {
    const given: ArrayBuffer[] = [];
    return { given, take: (bytes) => given.find((b) => b.byteLength >= bytes), give: (b) => void given.push(b) };
  }

  test('once the socket stops streaming, unheld memory goes to the spares, and another splitter gathers in it', () => {
    const spares = recordingSpares();
    const first = gatherOne(new FrameSplitter({ frameMax: FRAME_MAX, spares }), false, false);
    assert.deepEqual(spares.given, [first.raw.buffer]);
    const second = gatherOne(new FrameSplitter({ frameMax: FRAME_MAX, spares }), false, true);
    assert.equal(second.raw.buffer, first.raw.buffer);
  });

  test('held memory never goes to the spares', () => {
    const spares = recordingSpares();
    gatherOne(new FrameSplitter({ frameMax: FRAME_MAX, spares }), true, false);
    assert.deepEqual(spares.given, []);
  });
});

describe('carryLimit: unfinished frames left to the owner', () => {
  /**
   * Feeds `chunks` as the gateway's broker side does: each chunk after the
   * first begins with what the one before left unread. Returns the frames with
   * the chunk each arrived in, and checks that nothing was gathered apart.
   */
  function carried(splitter: FrameSplitter, chunks: Uint8Array[]): { frame: Frame; chunk: Uint8Array }[] {
    const got: { frame: Frame; chunk: Uint8Array }[] = [];
    let left = new Uint8Array(0);
    for (const next of chunks) {
      const chunk = concat([left, next]);
      splitter.push(chunk, (frame) => got.push({ frame, chunk }));
      assert.equal(splitter.buffering, false, 'nothing gathered in the splitter');
      left = chunk.slice(chunk.length - splitter.leftover);
    }
    assert.equal(left.length, 0, 'the stream ends with a whole frame');
    return got;
  }

  test('a frame a chunk ends in, or its split header, begins the next chunk, at every offset', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
      splitter.carryLimit = FRAME_MAX;
      const got = carried(splitter, [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(summary(got.map((g) => g.frame)), expected, `cut at ${cut}`);
      for (const { frame, chunk } of got)
        assert.equal(frame.raw.buffer, chunk.buffer, 'each frame a view of its chunk');
    }
  });

  test('a frame over the limit is gathered as before, and leaves nothing', () => {
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    splitter.carryLimit = 100;
    const body = golden[2]!;
    assert.ok(body.length > 100);
    splitter.push(own(body.subarray(0, 50)), () => assert.fail('not whole yet'));
    assert.equal(splitter.leftover, 0);
    assert.equal(splitter.buffering, true);
    const frames = splitAll([own(body.subarray(50))], splitter);
    assert.deepEqual(summary(frames), summary(splitAll([body])));
  });

  test('without a limit (the default), nothing is left', () => {
    const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
    splitter.push(own(stream.subarray(0, 3)), () => {});
    assert.equal(splitter.leftover, 0);
    assert.equal(splitter.buffering, true);
  });
});

describe('protocol header', () => {
  test('accepted before frames, in one chunk or split at every offset', () => {
    const bytes = concat([PROTOCOL_HEADER, stream]);
    for (let cut = 0; cut <= 20; cut++) {
      const splitter = new FrameSplitter({ frameMax: FRAME_MAX, protocolHeader: true });
      const frames = splitAll([bytes.subarray(0, cut), bytes.subarray(cut)], splitter);
      assert.deepEqual(summary(frames), expected, `cut at ${cut}`);
    }
  });

  test('the header alone leaves nothing buffered', () => {
    const splitter = new FrameSplitter({ protocolHeader: true });
    splitter.push(PROTOCOL_HEADER.subarray(0, 3), () => assert.fail('no frame'));
    assert.equal(splitter.buffering, true);
    splitter.push(PROTOCOL_HEADER.subarray(3), () => assert.fail('no frame'));
    assert.equal(splitter.buffering, false);
  });

  const others: [string, number[]][] = [
    ['AMQP 1.0', [0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]],
    ['AMQP 0-8', [0x41, 0x4d, 0x51, 0x50, 1, 1, 8, 0]],
    ['AMQP 0-9-1 SASL variant', [0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]],
    ['HTTP/1.1', [...'HTTP/1.1'].map((c) => c.charCodeAt(0))],
    ['a frame with no header', [1, 0, 0, 0, 0, 0, 4, 0]],
  ];
  for (const [what, bytes] of others) {
    test(`${what} is refused with ERR_PROTOCOL_HEADER`, () => {
      throwsCodec(
        () => new FrameSplitter({ protocolHeader: true }).push(Uint8Array.from(bytes), () => {}),
        'ERR_PROTOCOL_HEADER',
        501,
      );
      const oneByOne = new FrameSplitter({ protocolHeader: true });
      throwsCodec(() => bytes.forEach((b) => oneByOne.push(Uint8Array.of(b), () => {})), 'ERR_PROTOCOL_HEADER', 501);
    });
  }
});
