/**
 * Shared fixtures for the codec tests: sample arguments built from the spec's
 * argument types, a frame collector, and a few byte builders for malformed input.
 */
import assert from 'node:assert/strict';
import {
  AmqpCodecError,
  FrameSplitter,
  Typed,
  type BasicProperties,
  type FieldTable,
  type Frame,
  type Method,
  type MethodInfo,
} from '../../shared/index.js';

/** Long fuzz and property runs when WARREN_TEST_LONG=1; a quick run otherwise. */
export const LONG = process.env['WARREN_TEST_LONG'] === '1';

/** fast-check run count: `base` normally, 100× under WARREN_TEST_LONG=1. */
export function runs(base: number): number {
  return LONG ? base * 100 : base;
}

/** A table both this codec and amqplib encode to the same bytes (S, t, I, d, V, F, A). */
export const NEUTRAL_TABLE: FieldTable = {
  str: 'hello ✓ wörld',
  yes: true,
  no: false,
  int: 100000,
  neg: -70000,
  dbl: 1.5,
  nil: null,
  nested: { a: 'b', arr: ['x', 100000, true, null, { deep: 'er' }] },
};

/**
 * Sample arguments for a method, one value per argument chosen from its type.
 * `bits` decides each bit argument from its index so that packing is exercised
 * with more than one pattern.
 */
export function sampleArgs(info: MethodInfo, bits: (index: number) => boolean): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  let bitIndex = 0;
  for (const { name, type } of info.args) {
    switch (type) {
      case 'octet':
        args[name] = 0xa5;
        break;
      case 'short':
        args[name] = 0xbeef;
        break;
      case 'long':
        args[name] = 0xdeadbeef;
        break;
      case 'longlong':
        args[name] = Number.MAX_SAFE_INTEGER;
        break;
      case 'bit':
        args[name] = bits(bitIndex++);
        break;
      case 'shortstr':
        args[name] = `${name}-ünïcødé-✓`;
        break;
      case 'longstr':
        args[name] = `${name}\u0000long string ✓ `.repeat(20);
        break;
      case 'table':
        args[name] = NEUTRAL_TABLE;
        break;
      case 'reservedBit':
        bitIndex++;
        break;
      default:
        // reserved arguments are not surfaced
        break;
    }
  }
  return args;
}

/** The method `info` with sample arguments. */
export function sampleMethod(info: MethodInfo, bits: (index: number) => boolean = (i) => i % 2 === 0): Method {
  return { name: info.name, args: sampleArgs(info, bits) } as Method;
}

/** Feeds `chunks` through a fresh splitter and returns the frames it emits. */
export function splitAll(chunks: Iterable<Uint8Array>, splitter = new FrameSplitter({ frameMax: 1 << 20 })): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) splitter.push(chunk, (f) => frames.push(f));
  return frames;
}

/** The single frame in `bytes`. */
export function onlyFrame(bytes: Uint8Array, frameMax = 1 << 20): Frame {
  const frames = splitAll([bytes], new FrameSplitter({ frameMax }));
  assert.equal(frames.length, 1);
  return frames[0]!;
}

/** A frame around `payload`; its declared `size` and frame-end octet may lie. */
export function frameBytes(
  type: number,
  channel: number,
  payload: Uint8Array,
  size = payload.length,
  end = 0xce,
): Uint8Array {
  const out = new Uint8Array(payload.length + 8);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint16(1, channel);
  view.setUint32(3, size >>> 0);
  out.set(payload, 7);
  out[out.length - 1] = end;
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Builds bytes from octets, big-endian shorts/longs and strings, for hand-made payloads. */
export class Bytes {
  private readonly parts: number[] = [];
  octet(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  short(v: number): this {
    return this.octet(v >>> 8).octet(v);
  }
  long(v: number): this {
    return this.short(v >>> 16).short(v & 0xffff);
  }
  ascii(s: string): this {
    for (let i = 0; i < s.length; i++) this.octet(s.charCodeAt(i));
    return this;
  }
  shortstr(s: string): this {
    return this.octet(s.length).ascii(s);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Asserts that `fn` throws an {@link AmqpCodecError} with this `code` and `replyCode`; returns it. */
export function throwsCodec(fn: () => unknown, code: string, replyCode: number): AmqpCodecError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AmqpCodecError, `expected AmqpCodecError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.replyCode, replyCode);
  return caught;
}

/** Every one of the 14 basic properties. */
export const ALL_PROPERTIES: Required<BasicProperties> = {
  contentType: 'application/json',
  contentEncoding: 'gzip',
  headers: { 'x-match': 'all', n: 1, big: 2n ** 62n, u: new Typed('u', 7), nested: { list: ['a', null] } },
  deliveryMode: 2,
  priority: 9,
  correlationId: 'corr-✓',
  replyTo: 'amq.rabbitmq.reply-to',
  expiration: '60000',
  messageId: 'msg-1',
  timestamp: new Date(1_700_000_000_000),
  type: 'order.created',
  userId: 'guest',
  appId: 'warren-test',
  clusterId: 'c1',
};
