/**
 * Codec benchmark: encode and decode rates for basic.publish + header + 256 B body,
 * basic.deliver + header + 256 B body, and basic.ack, for Warren's codec, amqplib's
 * (`lib/defs.js` + `lib/frame.js`) and amqp-client.js's (`AMQPView`), on the same inputs.
 *
 * Each side runs the path its library runs on a connection: amqplib's
 * `parseFrame`/`decodeFrame` loop and `sendMessage` framing; amqp-client.js's
 * `onRead` → `parseFrames` steps and `basicPublish`/`basicAck` writers. Where
 * amqp-client.js has no such path (it never decodes a publish nor encodes a
 * deliver, being a client) the same steps are followed with its own AMQPView
 * calls in wire order, and the row is marked.
 *
 * Usage: `npm run bench:codec` (env WARREN_BENCH_MS = milliseconds per timed run, default 400;
 * WARREN_BENCH_RUNS = runs per row, default 5).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AMQPView } from '@cloudamqp/amqp-client/amqp-view';
import { AMQPMessage } from '@cloudamqp/amqp-client/amqp-message';
import type { AMQPChannel } from '@cloudamqp/amqp-client/amqp-channel';
import {
  FrameSplitter,
  FrameType,
  FrameWriter,
  decodeContentHeader,
  decodeMethod,
  decodeMethodFrame,
  decodeHeaderFrame,
  type BasicProperties,
  type Frame,
  type Method,
} from '../shared/index.js';

// ---- inputs (the same for every codec) -------------------------------------------------------

const CHANNEL = 1;
const FRAME_MAX = 131072;
const BODY = Uint8Array.from({ length: 256 }, (_, i) => (i * 31) & 0xff);
const EXCHANGE = 'amq.topic';
const ROUTING_KEY = 'warren.bench.orders.created';
const CONSUMER_TAG = 'amq.ctag-7Q2mY0bXcJ8x1aGQ4dNf3w';
const DELIVERY_TAG = 123_456;
const TIMESTAMP_S = 1_700_000_000;
const PROPS = {
  contentType: 'application/json',
  deliveryMode: 2,
  messageId: 'msg-000000001',
  headers: { 'x-trace-id': 'a1b2c3d4e5f6' },
};
const WARREN_PROPS: BasicProperties = { ...PROPS, timestamp: new Date(TIMESTAMP_S * 1000) };

const PUBLISH: Method = {
  name: 'basic.publish',
  args: { exchange: EXCHANGE, routingKey: ROUTING_KEY, mandatory: false, immediate: false },
};
const DELIVER: Method = {
  name: 'basic.deliver',
  args: {
    consumerTag: CONSUMER_TAG,
    deliveryTag: DELIVERY_TAG,
    redelivered: false,
    exchange: EXCHANGE,
    routingKey: ROUTING_KEY,
  },
};
const ACK: Method = { name: 'basic.ack', args: { deliveryTag: DELIVERY_TAG, multiple: false } };

type CaseName = 'publish' | 'deliver' | 'ack';
type CodecName = 'warren' | 'amqplib' | 'amqp-client.js';

/** Wire bytes of each case, written by Warren; every decoder reads these same bytes. */
const writer = new FrameWriter();
const WIRE: Record<CaseName, Buffer> = {
  publish: Buffer.from(writer.message(CHANNEL, PUBLISH, WARREN_PROPS, BODY, FRAME_MAX).take()),
  deliver: Buffer.from(writer.message(CHANNEL, DELIVER, WARREN_PROPS, BODY, FRAME_MAX).take()),
  ack: Buffer.from(writer.method(CHANNEL, ACK).take()),
};

// ---- amqplib -----------------------------------------------------------------------------------

interface AmqplibFrame {
  type: number;
  channel: number;
  payload: Buffer;
  rest: Buffer;
}
interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  FRAME_OVERHEAD: number;
}
interface AmqplibFrameModule {
  parseFrame(bin: Buffer, max: number): AmqplibFrame | false;
  decodeFrame(frame: AmqplibFrame): Record<string, unknown>;
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
}
const require = createRequire(import.meta.url);
const amqplibLib = path.join(path.dirname(require.resolve('amqplib')), 'lib');
const defs = require(path.join(amqplibLib, 'defs.js')) as AmqplibDefs;
const amqplibFrame = require(path.join(amqplibLib, 'frame.js')) as AmqplibFrameModule;

const AMQPLIB_PROPS = { ...PROPS, timestamp: TIMESTAMP_S };
const AMQPLIB_BODY = Buffer.from(BODY);
const ID = { publish: 3932200, deliver: 3932220, ack: 3932240, properties: 60 };

/** amqplib's `Connection.sendMessage`: method and properties frames, then one buffer with the body frame. */
function amqplibMessage(id: number, fields: Record<string, unknown>): Buffer {
  const mframe = defs.encodeMethod(id, CHANNEL, fields);
  const pframe = defs.encodeProperties(ID.properties, CHANNEL, AMQPLIB_BODY.length, AMQPLIB_PROPS);
  const bodyLen = AMQPLIB_BODY.length + defs.FRAME_OVERHEAD;
  const all = Buffer.allocUnsafe(mframe.length + pframe.length + bodyLen);
  let offset = mframe.copy(all, 0);
  offset += pframe.copy(all, offset);
  amqplibFrame.makeBodyFrame(CHANNEL, AMQPLIB_BODY).copy(all, offset);
  return all;
}

/** amqplib's `Connection.recvFrame` loop over one chunk: parse a frame, decode it, go on with the rest. */
function amqplibDecode(chunk: Buffer): number {
  let rest = chunk;
  let n = 0;
  for (;;) {
    const frame = amqplibFrame.parseFrame(rest, FRAME_MAX);
    if (frame === false) return n;
    const decoded = amqplibFrame.decodeFrame(frame);
    n += decoded['channel'] as number;
    rest = frame.rest;
  }
}

// ---- amqp-client.js ----------------------------------------------------------------------------

const FRAME_END = 206;
const channelStub = { id: CHANNEL } as unknown as AMQPChannel;
/** Its connection keeps send buffers in a pool; a publish takes one and returns it after the write. */
const pool: AMQPView[] = [];

/** `AMQPChannel.basicPublish`, from the pooled frame_max buffer to the frames' subarray. */
function amqpClientMessage(method: 'publish' | 'deliver'): Uint8Array {
  let j = 0;
  const buffer = pool.pop() ?? new AMQPView(new ArrayBuffer(FRAME_MAX));
  buffer.setUint8(j, FrameType.Method);
  j += 1;
  buffer.setUint16(j, CHANNEL);
  j += 2;
  j += 4;
  buffer.setUint16(j, 60);
  j += 2;
  if (method === 'publish') {
    buffer.setUint16(j, 40);
    j += 2;
    buffer.setUint16(j, 0);
    j += 2;
    j += buffer.setShortString(j, EXCHANGE);
    j += buffer.setShortString(j, ROUTING_KEY);
    buffer.setUint8(j, 0);
    j += 1;
  } else {
    // Not a path amqp-client.js has: deliver's arguments with the same AMQPView setters.
    buffer.setUint16(j, 60);
    j += 2;
    j += buffer.setShortString(j, CONSUMER_TAG);
    buffer.setUint64(j, DELIVERY_TAG);
    j += 8;
    buffer.setUint8(j, 0);
    j += 1;
    j += buffer.setShortString(j, EXCHANGE);
    j += buffer.setShortString(j, ROUTING_KEY);
  }
  buffer.setUint8(j, FRAME_END);
  j += 1;
  buffer.setUint32(3, j - 8);
  const headerStart = j;
  buffer.setUint8(j, FrameType.Header);
  j += 1;
  buffer.setUint16(j, CHANNEL);
  j += 2;
  j += 4;
  buffer.setUint16(j, 60);
  j += 2;
  buffer.setUint16(j, 0);
  j += 2;
  buffer.setUint32(j, 0);
  j += 4;
  buffer.setUint32(j, BODY.byteLength);
  j += 4;
  j += buffer.setProperties(j, WARREN_PROPS);
  buffer.setUint8(j, FRAME_END);
  j += 1;
  buffer.setUint32(headerStart + 3, j - headerStart - 8);
  const bufferView = new Uint8Array(buffer.buffer);
  for (let bodyPos = 0; bodyPos < BODY.byteLength;) {
    const frameSize = Math.min(BODY.byteLength - bodyPos, FRAME_MAX - 8);
    const dataSlice = BODY.subarray(bodyPos, bodyPos + frameSize);
    buffer.setUint8(j, FrameType.Body);
    j += 1;
    buffer.setUint16(j, CHANNEL);
    j += 2;
    buffer.setUint32(j, frameSize);
    j += 4;
    bufferView.set(dataSlice, j);
    j += frameSize;
    buffer.setUint8(j, FRAME_END);
    j += 1;
    bodyPos += frameSize;
  }
  const out = bufferView.subarray(0, j);
  pool.push(buffer);
  return out;
}

/** `AMQPChannel.basicAck`: a fresh 21-byte `AMQPFrame.Writer` buffer. */
function amqpClientAck(): Uint8Array {
  const view = new AMQPView(new ArrayBuffer(21));
  let offset = 0;
  view.setUint8(offset, FrameType.Method);
  offset += 1;
  view.setUint16(offset, CHANNEL);
  offset += 2;
  view.setUint32(offset, 13);
  offset += 4;
  view.setUint16(offset, 60);
  offset += 2;
  view.setUint16(offset, 80);
  offset += 2;
  view.setUint64(offset, DELIVERY_TAG);
  offset += 8;
  view.setUint8(offset, 0);
  offset += 1;
  view.setUint8(offset, FRAME_END);
  offset += 1;
  return new Uint8Array(view.buffer, 0, offset);
}

/** AMQPMessage with the fields its parser fills in while a body arrives (internal in its typings). */
type AssembledMessage = AMQPMessage & { _rawBytes: Uint8Array | null; bodyPos: number };

/** The message under assembly, as amqp-client.js keeps it on the channel between frames. */
let current: AssembledMessage | undefined;

/** `parseFrames` for one frame: its steps for deliver/ack/header/body, and the publish analogue. */
function amqpClientParseFrame(view: AMQPView): number {
  let i = 0;
  const type = view.getUint8(i);
  i += 1;
  const channelId = view.getUint16(i);
  i += 2;
  const frameSize = view.getUint32(i);
  i += 4;
  const frameEnd = view.getUint8(i + frameSize);
  if (frameEnd !== FRAME_END) throw new Error(`Invalid frame end ${frameEnd}`);
  switch (type) {
    case FrameType.Method: {
      const classId = view.getUint16(i);
      i += 2;
      const methodId = view.getUint16(i);
      i += 2;
      if (classId !== 60) throw new Error('unexpected class');
      if (methodId === 60) {
        const [consumerTag, consumerTagLen] = view.getShortString(i);
        i += consumerTagLen;
        const deliveryTag = view.getUint64(i);
        i += 8;
        const redelivered = view.getUint8(i) === 1;
        i += 1;
        const [exchange, exchangeLen] = view.getShortString(i);
        i += exchangeLen;
        const [routingKey, routingKeyLen] = view.getShortString(i);
        i += routingKeyLen;
        const message = new AMQPMessage(channelStub) as AssembledMessage;
        message.consumerTag = consumerTag;
        message.deliveryTag = deliveryTag;
        message.exchange = exchange;
        message.routingKey = routingKey;
        message.redelivered = redelivered;
        current = message;
      } else if (methodId === 40) {
        // Not a path amqp-client.js has: publish's arguments read the way it reads deliver's.
        i += 2; // ticket
        const [exchange, exchangeLen] = view.getShortString(i);
        i += exchangeLen;
        const [routingKey, routingKeyLen] = view.getShortString(i);
        i += routingKeyLen;
        const bits = view.getUint8(i);
        i += 1;
        const message = new AMQPMessage(channelStub) as AssembledMessage;
        message.exchange = exchange;
        message.routingKey = routingKey;
        message.redelivered = (bits & 1) === 1;
        current = message;
      } else if (methodId === 80) {
        const deliveryTag = view.getUint64(i);
        i += 8;
        const multiple = view.getUint8(i) === 1;
        i += 1;
        return deliveryTag + (multiple ? 1 : 0);
      } else throw new Error('unexpected method');
      break;
    }
    case FrameType.Header: {
      i += 4;
      const bodySize = view.getUint64(i);
      i += 8;
      const [properties, propLen] = view.getProperties(i);
      i += propLen;
      const message = current!;
      message.bodySize = bodySize;
      message.properties = properties;
      message._rawBytes = new Uint8Array(bodySize);
      break;
    }
    case FrameType.Body: {
      const message = current!;
      const bodyPart = new Uint8Array(view.buffer, view.byteOffset + i, frameSize);
      message._rawBytes!.set(bodyPart, message.bodyPos);
      message.bodyPos += frameSize;
      i += frameSize;
      break;
    }
  }
  return channelId;
}

/** `AMQPSocketClient.onRead` for a chunk of whole frames: one AMQPView and one `parseFrames` per frame. */
function amqpClientDecode(buf: Buffer): number {
  let n = 0;
  for (let bufPos = 0; bufPos < buf.length;) {
    const frameSize = buf.readInt32BE(bufPos + 3) + 8;
    n += amqpClientParseFrame(new AMQPView(buf.buffer, buf.byteOffset + bufPos, frameSize));
    bufPos += frameSize;
  }
  return n;
}

// ---- Warren ------------------------------------------------------------------------------------

const warrenWriter = new FrameWriter(4096);
const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
let warrenSink = 0;

function onWarrenFrame(frame: Frame): void {
  if (frame.type === FrameType.Method) {
    const m = decodeMethodFrame(frame);
    warrenSink += m.name.length;
  } else if (frame.type === FrameType.Header) {
    warrenSink += decodeHeaderFrame(frame).bodySize;
  } else {
    warrenSink += frame.payload.length; // the body, as a view into the chunk
  }
}

function warrenDecode(chunk: Uint8Array): number {
  splitter.push(chunk, onWarrenFrame);
  return warrenSink;
}

// ---- rows --------------------------------------------------------------------------------------

interface Row {
  codec: CodecName;
  case: CaseName;
  op: 'encode' | 'decode';
  fn: () => unknown;
  note?: string;
}

const amqplibFields = {
  publish: { exchange: EXCHANGE, routingKey: ROUTING_KEY, mandatory: false, immediate: false },
  deliver: {
    consumerTag: CONSUMER_TAG,
    deliveryTag: DELIVERY_TAG,
    redelivered: false,
    exchange: EXCHANGE,
    routingKey: ROUTING_KEY,
  },
  ack: { deliveryTag: DELIVERY_TAG, multiple: false },
};

const ROWS: Row[] = [
  {
    codec: 'warren',
    case: 'publish',
    op: 'encode',
    fn: () => warrenWriter.message(CHANNEL, PUBLISH, WARREN_PROPS, BODY, FRAME_MAX).take(),
  },
  {
    codec: 'warren',
    case: 'deliver',
    op: 'encode',
    fn: () => warrenWriter.message(CHANNEL, DELIVER, WARREN_PROPS, BODY, FRAME_MAX).take(),
  },
  { codec: 'warren', case: 'ack', op: 'encode', fn: () => warrenWriter.method(CHANNEL, ACK).take() },
  { codec: 'amqplib', case: 'publish', op: 'encode', fn: () => amqplibMessage(ID.publish, amqplibFields.publish) },
  { codec: 'amqplib', case: 'deliver', op: 'encode', fn: () => amqplibMessage(ID.deliver, amqplibFields.deliver) },
  { codec: 'amqplib', case: 'ack', op: 'encode', fn: () => defs.encodeMethod(ID.ack, CHANNEL, amqplibFields.ack) },
  { codec: 'amqp-client.js', case: 'publish', op: 'encode', fn: () => amqpClientMessage('publish') },
  {
    codec: 'amqp-client.js',
    case: 'deliver',
    op: 'encode',
    fn: () => amqpClientMessage('deliver'),
    note: 'no such path in the client; same steps',
  },
  { codec: 'amqp-client.js', case: 'ack', op: 'encode', fn: amqpClientAck },
  { codec: 'warren', case: 'publish', op: 'decode', fn: () => warrenDecode(WIRE.publish) },
  { codec: 'warren', case: 'deliver', op: 'decode', fn: () => warrenDecode(WIRE.deliver) },
  { codec: 'warren', case: 'ack', op: 'decode', fn: () => warrenDecode(WIRE.ack) },
  { codec: 'amqplib', case: 'publish', op: 'decode', fn: () => amqplibDecode(WIRE.publish) },
  { codec: 'amqplib', case: 'deliver', op: 'decode', fn: () => amqplibDecode(WIRE.deliver) },
  { codec: 'amqplib', case: 'ack', op: 'decode', fn: () => amqplibDecode(WIRE.ack) },
  {
    codec: 'amqp-client.js',
    case: 'publish',
    op: 'decode',
    fn: () => amqpClientDecode(WIRE.publish),
    note: 'no such path in the client; same steps',
  },
  { codec: 'amqp-client.js', case: 'deliver', op: 'decode', fn: () => amqpClientDecode(WIRE.deliver) },
  { codec: 'amqp-client.js', case: 'ack', op: 'decode', fn: () => amqpClientDecode(WIRE.ack) },
];

/** Every encoder's bytes must decode (with Warren's codec) to the same method, properties and body. */
function checkSameWork(): void {
  for (const row of ROWS.filter((r) => r.op === 'encode')) {
    const bytes = row.fn() as Uint8Array;
    const frames: Frame[] = [];
    new FrameSplitter({ frameMax: FRAME_MAX }).push(new Uint8Array(bytes), (f) => frames.push(f));
    const expected = row.case === 'publish' ? PUBLISH : row.case === 'deliver' ? DELIVER : ACK;
    assert.deepEqual(decodeMethod(frames[0]!.payload), expected, `${row.codec} ${row.case}`);
    if (row.case !== 'ack') {
      assert.deepEqual(decodeContentHeader(frames[1]!.payload).properties, WARREN_PROPS, `${row.codec} ${row.case}`);
      assert.deepEqual(frames[2]!.payload, BODY, `${row.codec} ${row.case}`);
    }
  }
  current = undefined;
  amqpClientDecode(WIRE.deliver);
  assert.equal(current!.routingKey, ROUTING_KEY);
  assert.deepEqual(current!._rawBytes, BODY);
  assert.equal(amqplibDecode(WIRE.deliver), 3 * CHANNEL);
}

// ---- timing ------------------------------------------------------------------------------------

const RUN_MS = Number(process.env['WARREN_BENCH_MS'] ?? 400);
const RUNS = Number(process.env['WARREN_BENCH_RUNS'] ?? 5);
let blackhole: unknown;

/** Operations per second of `fn` over about `ms` milliseconds. */
function measure(fn: () => unknown, ms: number): number {
  let batch = 64;
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) blackhole = fn();
    ops += batch;
    now = process.hrtime.bigint();
    if (batch < 8192) batch *= 2;
  }
  return ops / (Number(now - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  checkSameWork();
  for (const row of ROWS) measure(row.fn, 200); // warm-up: let every path reach optimised code
  const samples = new Map<Row, number[]>(ROWS.map((r) => [r, []]));
  // Runs interleave the rows so that drift in machine speed spreads over all of them.
  for (let run = 0; run < RUNS; run++) for (const row of ROWS) samples.get(row)!.push(measure(row.fn, RUN_MS));
  void blackhole;

  const results = ROWS.map((row) => ({
    codec: row.codec,
    case: row.case,
    op: row.op,
    opsPerSec: Math.round(median(samples.get(row)!)),
    runs: samples.get(row)!.map(Math.round),
    ...(row.note === undefined ? {} : { note: row.note }),
  }));
  const rate = (codec: CodecName, c: CaseName, op: string) =>
    results.find((r) => r.codec === codec && r.case === c && r.op === op)!.opsPerSec;

  console.log(`codec benchmark: ${RUNS} runs × ${RUN_MS} ms per row, median ops/s (node ${process.version})\n`);
  const header = ['case', 'op', 'warren', 'amqplib', 'amqp-client.js', 'vs amqplib', 'vs amqp-client.js'];
  const lines = [header];
  for (const op of ['encode', 'decode'] as const) {
    for (const c of ['publish', 'deliver', 'ack'] as const) {
      const w = rate('warren', c, op);
      const a = rate('amqplib', c, op);
      const q = rate('amqp-client.js', c, op);
      lines.push([c, op, fmt(w), fmt(a), fmt(q), `${(w / a).toFixed(2)}×`, `${(w / q).toFixed(2)}×`]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines)
    console.log(l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  console.log('\npublish/deliver = method + header + 256 B body frames; ack = one method frame.');
  console.log('amqp-client.js publish decode and deliver encode are not paths it has; they follow its steps.');

  const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'codec.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runMs: RUN_MS, runs: RUNS, bodyBytes: BODY.length, results }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

main();
