import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  AmqpCodecError,
  ByteReader,
  ByteWriter,
  FrameSplitter,
  FrameType,
  FrameWriter,
  decodeContentHeader,
  decodeMethod,
  readTable,
  writeTable,
  type BasicProperties,
  type Frame,
  type Method,
} from '../../shared/index.js';
import { chunking, cutAt, fieldTable, method, properties } from './arbitraries.js';
import { runs, splitAll } from './helpers.js';

const FRAME_MAX = 8192;

interface Message {
  channel: number;
  method: Method;
  properties: BasicProperties;
  body: Uint8Array;
}

const message: fc.Arbitrary<Message> = fc.record(
  {
    channel: fc.integer({ min: 0, max: 65535 }),
    method,
    properties,
    body: fc.uint8Array({ maxLength: 20_000 }),
  },
  { noNullPrototype: true },
);

/** Decodes frames back into messages: a method, then a header and body frames when it carries content. */
function reassemble(frames: Frame[]): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < frames.length;) {
    const m = frames[i++]!;
    assert.equal(m.type, FrameType.Method);
    const header = decodeContentHeader(frames[i++]!.payload);
    const body = new Uint8Array(header.bodySize);
    let at = 0;
    while (at < header.bodySize) {
      const f = frames[i++]!;
      assert.equal(f.type, FrameType.Body);
      body.set(f.payload, at);
      at += f.payload.length;
    }
    out.push({ channel: m.channel, method: decodeMethod(m.payload), properties: header.properties, body });
  }
  return out;
}

describe('property-based', () => {
  test('random messages in random chunking come out as the same frames and values', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 4 }).chain((msgs) => {
          const w = new FrameWriter();
          for (const m of msgs)
            w.method(m.channel, m.method)
              .header(m.channel, m.body.length, m.properties)
              .body(m.channel, m.body, FRAME_MAX);
          const bytes = w.take();
          return fc.tuple(fc.constant(msgs), fc.constant(bytes), chunking(bytes.length));
        }),
        ([msgs, bytes, cuts]) => {
          const whole = splitAll([bytes], new FrameSplitter({ frameMax: FRAME_MAX }));
          const chunked = splitAll(cutAt(bytes, cuts), new FrameSplitter({ frameMax: FRAME_MAX }));
          assert.equal(chunked.length, whole.length);
          chunked.forEach((f, i) => assert.deepEqual(f.raw, whole[i]!.raw));
          assert.deepEqual(reassemble(chunked), msgs);
        },
      ),
      { numRuns: runs(100) },
    );
  });

  test('random methods round-trip', () => {
    fc.assert(
      fc.property(method, (m) => {
        const frames = splitAll([new FrameWriter().method(1, m).take()]);
        assert.deepEqual(decodeMethod(frames[0]!.payload), m);
      }),
      { numRuns: runs(1000) },
    );
  });

  test('random field tables round-trip with their types', () => {
    fc.assert(
      fc.property(fieldTable, (table) => {
        const w = new ByteWriter(8);
        writeTable(w, table);
        const bytes = w.take();
        const r = new ByteReader(bytes);
        assert.deepEqual(readTable(r), table);
        assert.equal(r.pos, bytes.length);
      }),
      { numRuns: runs(300) },
    );
  });

  test('random content headers round-trip', () => {
    fc.assert(
      fc.property(properties, fc.maxSafeNat(), (p, size) => {
        const frames = splitAll([new FrameWriter().header(1, size, p).take()]);
        assert.deepEqual(decodeContentHeader(frames[0]!.payload), { classId: 60, bodySize: size, properties: p });
      }),
      { numRuns: runs(300) },
    );
  });
});

/** Splits and decodes `chunks`; anything thrown must be an AmqpCodecError. */
function decodeAll(chunks: Uint8Array[], frameMax: number): void {
  try {
    const splitter = new FrameSplitter({ frameMax });
    for (const chunk of chunks) {
      splitter.push(chunk, (f) => {
        if (f.type === FrameType.Method) decodeMethod(f.payload);
        else if (f.type === FrameType.Header) decodeContentHeader(f.payload);
      });
    }
  } catch (err) {
    if (!(err instanceof AmqpCodecError)) throw err;
    assert.ok([501, 502, 503].includes(err.replyCode), `reply code ${err.replyCode}`);
  }
}

describe('fuzz: malformed input only ever throws AmqpCodecError', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 8, max: 1 << 20 }), (bytes, frameMax) => {
        decodeAll([bytes], frameMax);
      }),
      { numRuns: runs(1000) },
    );
  });

  test('random payloads inside well-formed frames', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 600 }), (type, payload) => {
        const w = new ByteWriter(payload.length + 8);
        w.octet(type);
        w.short(0);
        w.long(payload.length);
        w.bytes(payload);
        w.octet(0xce);
        decodeAll([w.take()], 1 << 20);
        // Straight into the decoders too, with a valid class/method prefix most of the time.
        try {
          decodeMethod(payload);
        } catch (err) {
          assert.ok(err instanceof AmqpCodecError, String(err));
        }
        try {
          decodeContentHeader(payload);
        } catch (err) {
          assert.ok(err instanceof AmqpCodecError, String(err));
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  test('valid frames with mutated bytes, in random chunking', () => {
    const mutated = fc
      .tuple(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }))
      .chain(([m, edits]) => {
        const bytes = new FrameWriter()
          .method(m.channel, m.method)
          .header(m.channel, m.body.length, m.properties)
          .body(m.channel, m.body, FRAME_MAX)
          .take();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return fc.tuple(fc.constant(bytes), chunking(bytes.length));
      });
    fc.assert(
      fc.property(mutated, ([bytes, cuts]) => decodeAll(cutAt(bytes, cuts), FRAME_MAX)),
      { numRuns: runs(300) },
    );
  });
});
