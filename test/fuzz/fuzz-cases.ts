import fc from 'fast-check';
import { FrameWriter, ReplyCode } from '../../shared/index.js';
import { declareQueue } from '../helpers/raw-client.js';
import { concat, frameBytes } from '../shared/helpers.js';
import { fieldTable } from '../shared/arbitraries.js';

/**
 * One fuzz case: bytes sent on an open session, built for a channel number
 * the runner hands out (unused so far on that session). `expect` lists the
 * connection.close codes the case must end with; undefined when any outcome
 * is fine (a mutation may well leave a valid stream).
 */
export interface FuzzCase {
  readonly kind: string;
  readonly build: (channel: number) => Uint8Array;
  readonly expect: readonly number[] | undefined;
}

const { FrameError, SyntaxError, CommandInvalid, ChannelError, UnexpectedFrame } = ReplyCode;
const METHOD = 1;
const HEADER = 2;
const BODY = 3;
const HEARTBEAT = 8;

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const shortstr = (s: string) => [s.length, ...new TextEncoder().encode(s)];

function channelOpen(channel: number): Uint8Array {
  return new FrameWriter().method(channel, { name: 'channel.open', args: {} }).take();
}

/** A queue.declare whose arguments table is `table` (raw bytes, size prefix included). */
function queueDeclarePayload(table: number[]): Uint8Array {
  return new Uint8Array([0, 50, 0, 10, 0, 0, ...shortstr(''), 0b00100, ...table]);
}

/** A table nested `depth` levels deep: {a: {a: … {}}}. */
function deepTable(depth: number): number[] {
  let inner: number[] = u32(0);
  for (let i = 0; i < depth; i++) {
    const entry = [...shortstr('a'), 'F'.charCodeAt(0), ...inner];
    inner = [...u32(entry.length), ...entry];
  }
  return inner;
}

const publishPayload = (queue: string) => new Uint8Array([0, 60, 0, 40, 0, 0, ...shortstr(''), ...shortstr(queue), 0]);
const headerPayload = (bodySize: number) => new Uint8Array([0, 60, 0, 0, ...u32(0), ...u32(bodySize), 0, 0]);

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Malformations with one right answer each. */
const targeted: fc.Arbitrary<FuzzCase>[] = [
  fc
    .record({ end: fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0xce), payload: bytes(0, 64) })
    .map(({ end, payload }) => ({
      kind: 'bad-frame-end',
      build: (ch) => concat([channelOpen(ch), frameBytes(METHOD, ch, payload, payload.length, end)]),
      expect: [FrameError],
    })),
  fc.integer({ min: 4097, max: 0xffffffff }).map((size) => ({
    kind: 'huge-declared-size',
    build: (ch: number) => frameBytes(METHOD, ch, new Uint8Array(16), size),
    expect: [FrameError],
  })),
  fc
    .record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => ![1, 2, 3, 8].includes(t)), payload: bytes(0, 32) })
    .map(({ type, payload }) => ({
      kind: 'unknown-frame-type',
      build: (ch: number) => frameBytes(type, ch, payload),
      expect: [FrameError],
    })),
  fc
    .record({
      classId: fc.integer({ min: 0, max: 65535 }),
      methodId: fc.integer({ min: 0, max: 65535 }),
      rest: bytes(0, 32),
    })
    .filter(({ classId, methodId }) => !KNOWN.has(classId * 65536 + methodId))
    .map(({ classId, methodId, rest }) => ({
      kind: 'unknown-class-method',
      build: (ch: number) =>
        concat([channelOpen(ch), frameBytes(METHOD, ch, new Uint8Array([...u16(classId), ...u16(methodId), ...rest]))]),
      expect: [CommandInvalid],
    })),
  fc.integer({ min: 33, max: 400 }).map((depth) => ({
    kind: 'deep-table',
    build: (ch: number) => concat([channelOpen(ch), frameBytes(METHOD, ch, queueDeclarePayload(deepTable(depth)))]),
    expect: [SyntaxError],
  })),
  fc
    .record({
      type: fc.integer({ min: 0, max: 255 }).filter((t) => !VALUE_TYPES.has(String.fromCharCode(t))),
      junk: bytes(0, 16),
    })
    .map(({ type, junk }) => {
      const entry = [...shortstr('k'), type, ...junk];
      return {
        kind: 'unknown-field-type',
        build: (ch: number) =>
          concat([channelOpen(ch), frameBytes(METHOD, ch, queueDeclarePayload([...u32(entry.length), ...entry]))]),
        expect: [SyntaxError],
      };
    }),
  fc.constantFrom('basic.qos', 'queue.declare', 'basic.publish').map((name) => ({
    kind: 'method-on-unopened-channel',
    build: (ch: number) =>
      name === 'basic.publish'
        ? frameBytes(METHOD, ch, publishPayload('nowhere'))
        : new FrameWriter()
            .method(
              ch,
              name === 'basic.qos'
                ? { name: 'basic.qos', args: { prefetchSize: 0, prefetchCount: 1, global: false } }
                : declareQueue('', { autoDelete: true }),
            )
            .take(),
    expect: [ChannelError],
  })),
  fc.record({ opened: fc.boolean(), body: fc.integer({ min: 0, max: 1000 }) }).map(({ opened, body }) => ({
    kind: 'header-without-publish',
    build: (ch: number) =>
      concat([opened ? channelOpen(ch) : new Uint8Array(), frameBytes(HEADER, ch, headerPayload(body))]),
    expect: [UnexpectedFrame],
  })),
  fc.record({ opened: fc.boolean(), payload: bytes(1, 64) }).map(({ opened, payload }) => ({
    kind: 'body-without-header',
    build: (ch: number) => concat([opened ? channelOpen(ch) : new Uint8Array(), frameBytes(BODY, ch, payload)]),
    expect: [UnexpectedFrame],
  })),
  bytes(1, 64).map((payload) => ({
    kind: 'body-after-publish-without-header',
    build: (ch: number) =>
      concat([channelOpen(ch), frameBytes(METHOD, ch, publishPayload('nowhere')), frameBytes(BODY, ch, payload)]),
    expect: [UnexpectedFrame],
  })),
  fc.constant({
    kind: 'heartbeat-on-channel',
    build: (ch: number) => concat([channelOpen(ch), frameBytes(HEARTBEAT, ch, new Uint8Array())]),
    // AMQP 0-9-1 §4.2.7: a heartbeat off channel 0 is a frame error.
    expect: [FrameError],
  }),
  bytes(0, 3).map((payload) => ({
    kind: 'short-method-frame',
    build: (ch: number) => concat([channelOpen(ch), frameBytes(METHOD, ch, payload)]),
    expect: [FrameError],
  })),
  fc.integer({ min: 2, max: 4000 }).map((declared) => ({
    kind: 'body-longer-than-declared',
    build: (ch: number) =>
      concat([
        channelOpen(ch),
        frameBytes(METHOD, ch, publishPayload('nowhere')),
        frameBytes(HEADER, ch, headerPayload(declared - 1)),
        frameBytes(BODY, ch, new Uint8Array(declared)),
      ]),
    expect: [FrameError],
  })),
];

const KNOWN = new Set(
  [
    [10, 10],
    [10, 11],
    [10, 20],
    [10, 21],
    [10, 30],
    [10, 31],
    [10, 40],
    [10, 41],
    [10, 50],
    [10, 51],
    [10, 60],
    [10, 61],
    [10, 70],
    [10, 71],
    [20, 10],
    [20, 11],
    [20, 20],
    [20, 21],
    [20, 40],
    [20, 41],
    [40, 10],
    [40, 11],
    [40, 20],
    [40, 21],
    [40, 30],
    [40, 31],
    [40, 40],
    [40, 51],
    [50, 10],
    [50, 11],
    [50, 20],
    [50, 21],
    [50, 30],
    [50, 31],
    [50, 40],
    [50, 41],
    [50, 50],
    [50, 51],
    [60, 10],
    [60, 11],
    [60, 20],
    [60, 21],
    [60, 30],
    [60, 31],
    [60, 40],
    [60, 50],
    [60, 60],
    [60, 70],
    [60, 71],
    [60, 72],
    [60, 80],
    [60, 90],
    [60, 100],
    [60, 110],
    [60, 111],
    [60, 120],
    [85, 10],
    [85, 11],
    [90, 10],
    [90, 11],
    [90, 20],
    [90, 21],
    [90, 30],
    [90, 31],
  ].map(([c, m]) => c! * 65536 + m!),
);
const VALUE_TYPES = new Set([
  't',
  'b',
  'B',
  's',
  'u',
  'I',
  'i',
  'L',
  'l',
  'f',
  'd',
  'D',
  'S',
  'A',
  'T',
  'F',
  'V',
  'x',
  'U',
]);

/** A valid stream on one channel: open, a queue that expires by itself, publishes with random tables, a get. */
const validStream = fc
  .record({
    args: fieldTable,
    bodies: fc.array(bytes(0, 300), { maxLength: 3 }),
    headers: fieldTable,
    prefetch: fc.integer({ min: 0, max: 65535 }),
  })
  .map(({ args, bodies, headers, prefetch }) => (ch: number) => {
    const queue = `warren-fuzz-${ch}`;
    const w = new FrameWriter()
      .method(ch, { name: 'channel.open', args: {} })
      .method(ch, { name: 'basic.qos', args: { prefetchSize: 0, prefetchCount: prefetch, global: false } })
      // Exclusive, and x-expires in case a mutation clears that bit: nothing outlives the run.
      .method(ch, declareQueue('', { autoDelete: true, arguments: { ...args, 'x-expires': 5000 } }));
    for (const body of bodies) {
      w.message(
        ch,
        { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
        { headers },
        body,
        4096,
      );
    }
    w.method(ch, { name: 'basic.get', args: { queue: '', noAck: true } });
    return w.take();
  });

type Mutation = (b: Uint8Array) => Uint8Array;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }).map(({ at, value }) => (b: Uint8Array) => {
    const c = b.slice();
    if (c.length > 0) c[at % c.length] = value;
    return c;
  }),
  fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }) => (b: Uint8Array) => {
    const c = b.slice();
    if (c.length > 0) c[at % c.length]! ^= 1 << bit;
    return c;
  }),
  fc.nat().map((at) => (b: Uint8Array) => b.slice(0, b.length === 0 ? 0 : at % b.length)),
  fc.record({ at: fc.nat(), junk: bytes(1, 16) }).map(({ at, junk }) => (b: Uint8Array) => {
    const i = b.length === 0 ? 0 : at % b.length;
    return concat([b.subarray(0, i), junk, b.subarray(i)]);
  }),
  fc.record({ at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }).map(({ at, n }) => (b: Uint8Array) => {
    const i = b.length === 0 ? 0 : at % b.length;
    return concat([b.subarray(0, i), b.subarray(i + n)]);
  }),
  fc.record({ at: fc.nat(), size: fc.integer({ min: 0, max: 0xffffffff }) }).map(({ at, size }) => (b: Uint8Array) => {
    const c = b.slice();
    if (c.length >= 4) new DataView(c.buffer).setUint32(at % (c.length - 3), size);
    return c;
  }),
);

const mutated: fc.Arbitrary<FuzzCase> = fc
  .record({ stream: validStream, mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
  .map(({ stream, mutations }) => ({
    kind: 'mutated',
    build: (ch: number) => mutations.reduce((b, m) => m(b), stream(ch)),
    expect: undefined,
  }));

const random: fc.Arbitrary<FuzzCase> = bytes(1, 200).map((junk) => ({
  kind: 'random-bytes',
  build: () => junk,
  expect: undefined,
}));

/** Random frames with valid framing but random type, channel and payload. */
const randomFrames: fc.Arbitrary<FuzzCase> = fc
  .array(
    fc.record({ type: fc.constantFrom(METHOD, HEADER, BODY, HEARTBEAT), payload: bytes(0, 64), open: fc.boolean() }),
    {
      minLength: 1,
      maxLength: 5,
    },
  )
  .map((frames) => ({
    kind: 'random-frames',
    build: (ch: number) =>
      concat([
        ...frames.map((f) => concat([f.open ? channelOpen(ch) : new Uint8Array(), frameBytes(f.type, ch, f.payload)])),
      ]),
    expect: undefined,
  }));

/** Every kind of case, targeted ones weighted up so each shows in a few hundred runs. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...targeted.map((arbitrary) => ({ arbitrary, weight: 2 })),
  { arbitrary: mutated, weight: 10 },
  { arbitrary: randomFrames, weight: 4 },
  { arbitrary: random, weight: 2 },
);
