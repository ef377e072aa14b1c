import { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { AmqpCodecError, CodecErrorCode } from './errors.js';
import { ReplyCode } from './constants.js';
import { readTable, writeTable } from './field-table.js';
import { readHotArgs } from './hot-methods.js';
import type { Frame } from './frame-splitter.js';
import type { FieldTable } from './field-value.js';
import type { Method, MethodName } from './method-types.js';
import { SPEC, type ArgType } from './spec.js';

/** One method of the table, flattened for the encoder and decoder loops. */
export interface MethodInfo {
  readonly name: MethodName;
  readonly classId: number;
  readonly methodId: number;
  /** basic.publish, basic.return, basic.deliver and basic.get-ok are followed by a header and body. */
  readonly content: boolean;
  readonly args: readonly { readonly name: string; readonly type: ArgType }[];
}

// Argument types as small integers, so the codec loops switch on numbers; plain
// constants rather than an object's members, so a minifier inlines them.
const OCTET = 0;
const SHORT = 1;
const LONG = 2;
const LONGLONG = 3;
const BIT = 4;
const SHORTSTR = 5;
const LONGSTR = 6;
const TABLE = 7;
const RESERVED_SHORT = 8;
const RESERVED_SHORTSTR = 9;
const RESERVED_LONGSTR = 10;
const RESERVED_BIT = 11;

/** The types in code order. Looked up by string rather than through an object's keys, so a bundler may rename members. */
const ARG_TYPES: readonly ArgType[] = [
  'octet',
  'short',
  'long',
  'longlong',
  'bit',
  'shortstr',
  'longstr',
  'table',
  'reservedShort',
  'reservedShortstr',
  'reservedLongstr',
  'reservedBit',
];

/** What the encoder and decoder need of a method, in arrays they can index without allocating. */
interface Plan {
  readonly info: MethodInfo;
  readonly names: readonly string[];
  readonly codes: readonly number[];
}

const byId = new Map<number, Plan>();
const byName = new Map<string, Plan>();

for (const [className, cls] of Object.entries(SPEC)) {
  for (const [methodName, method] of Object.entries(cls.methods)) {
    const args = Object.entries(method.args as Record<string, ArgType>);
    const info: MethodInfo = {
      name: `${className}.${methodName}` as MethodName,
      classId: cls.id,
      methodId: method.id,
      content: (method as { content?: boolean }).content === true,
      args: args.map(([name, type]) => ({ name, type })),
    };
    const plan = { info, names: args.map(([name]) => name), codes: args.map(([, type]) => ARG_TYPES.indexOf(type)) };
    byId.set(cls.id * 65536 + method.id, plan);
    byName.set(info.name, plan);
  }
}

/** The table entry for a class/method id pair, or undefined when the spec has none. */
export function methodInfo(classId: number, methodId: number): MethodInfo | undefined {
  return byId.get(classId * 65536 + methodId)?.info;
}

/** The table entry for a method name. */
export function methodInfoByName(name: MethodName): MethodInfo {
  return byName.get(name)!.info;
}

/** Every method of the table. */
export function allMethods(): MethodInfo[] {
  return [...byName.values()].map((plan) => plan.info);
}

/** Class and method id of a method frame's payload, without decoding its arguments. */
export function peekMethodId(payload: Uint8Array): { classId: number; methodId: number } {
  if (payload.length < 4) throw shortMethodFrame();
  return { classId: (payload[0]! << 8) | payload[1]!, methodId: (payload[2]! << 8) | payload[3]! };
}

/** Class id × 65536 + method id of a method frame, read in place; -1 when its payload is too short to hold them. */
export function methodKey(frame: Frame): number {
  if (frame.size < 4) return -1;
  const b = frame.bytes;
  const p = frame.payloadStart;
  return ((b[p]! << 8) | b[p + 1]!) * 65536 + ((b[p + 2]! << 8) | b[p + 3]!);
}

/** Decodes a method frame in place, without making a view of its payload. */
export function decodeMethodFrame(frame: Frame): Method {
  return decodeMethod(frame.bytes, frame.payloadStart, frame.payloadStart + frame.size);
}

// Decoding is synchronous and never re-entered, so one reader serves every call.
const reader = new ByteReader(new Uint8Array(0));

/**
 * Whether a decoding error names the method it was decoding (`classId`,
 * `methodId`), as the gateway's connection.close must. rollup.config.mjs turns
 * it off in the browser bundle: the client closes on any undecodable frame
 * with ERR_PROTOCOL, keeping the codec's error as its `cause`, and names no
 * method.
 */
const METHOD_IN_ERRORS = true;

/**
 * Decodes a method frame's payload: `bytes` from `start` to `end`. Unknown ids
 * fail with 503 COMMAND_INVALID; leftovers with 501.
 */
export function decodeMethod(bytes: Uint8Array, start = 0, end = bytes.length): Method {
  if (end - start < 4) throw shortMethodFrame();
  const classId = (bytes[start]! << 8) | bytes[start + 1]!;
  const methodId = (bytes[start + 2]! << 8) | bytes[start + 3]!;
  const key = classId * 65536 + methodId;
  const plan = byId.get(key);
  if (plan === undefined) {
    throw new AmqpCodecError(
      CodecErrorCode.UnknownMethod,
      ReplyCode.CommandInvalid,
      `unknown method ${classId}/${methodId}`,
      METHOD_IN_ERRORS ? { classId, methodId } : undefined,
    );
  }
  const r = reader.reset(bytes, start + 4, end);
  let args: object;
  // Two paths rather than one try whose catch tests the flag: in the bundle, a try whose catch only
  // rethrows stays in the minified code (6 bytes over its budget).
  if (!METHOD_IN_ERRORS) args = readHotArgs(key, r) ?? readArgs(r, plan);
  else {
    try {
      args = readHotArgs(key, r) ?? readArgs(r, plan);
    } catch (err) {
      if (err instanceof AmqpCodecError) {
        throw new AmqpCodecError(err.code, err.replyCode, err.message, {
          classId,
          methodId,
          cause: err,
        });
      }
      throw err;
    }
  }
  if (r.pos !== r.end) {
    throw new AmqpCodecError(
      CodecErrorCode.TrailingBytes,
      ReplyCode.FrameError,
      `${r.end - r.pos} bytes after args`,
      METHOD_IN_ERRORS ? { classId, methodId } : undefined,
    );
  }
  return { name: plan.info.name, args } as Method;
}

function shortMethodFrame(): AmqpCodecError {
  return new AmqpCodecError(CodecErrorCode.Truncated, ReplyCode.FrameError, 'short method frame');
}

/** Reads a method's arguments by the table alone: what the hand-written readers of hot-methods.ts are held to. */
export function readArgsByTable(key: number, r: ByteReader): Record<string, unknown> {
  return readArgs(r, byId.get(key)!);
}

function readArgs(r: ByteReader, plan: Plan): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const { names, codes } = plan;
  let bits = 0;
  let bit = 8;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === BIT || code === RESERVED_BIT) {
      if (bit === 8) {
        bits = r.octet();
        bit = 0;
      }
      const value = (bits & (1 << bit++)) !== 0;
      if (code === BIT) args[names[i]!] = value;
      continue;
    }
    bit = 8;
    switch (code) {
      case OCTET:
        args[names[i]!] = r.octet();
        break;
      case SHORT:
        args[names[i]!] = r.short();
        break;
      case LONG:
        args[names[i]!] = r.long();
        break;
      case LONGLONG:
        args[names[i]!] = r.longlong();
        break;
      case SHORTSTR:
        args[names[i]!] = r.shortstr();
        break;
      case LONGSTR:
        args[names[i]!] = r.longstr();
        break;
      case TABLE:
        args[names[i]!] = readTable(r);
        break;
      case RESERVED_SHORT:
        r.short();
        break;
      case RESERVED_SHORTSTR:
        r.shortstr();
        break;
      case RESERVED_LONGSTR:
        r.longstrBytes();
        break;
    }
  }
  return args;
}

/** Writes a method's payload (ids, then arguments) at the writer's position. */
export function writeMethodPayload(w: ByteWriter, method: Method): void {
  const plan = byName.get(method.name);
  if (plan === undefined) {
    throw new AmqpCodecError(CodecErrorCode.UnknownMethod, ReplyCode.CommandInvalid, `unknown method ${method.name}`);
  }
  const { info, names, codes } = plan;
  const args = method.args as Record<string, unknown>;
  w.short(info.classId);
  w.short(info.methodId);
  // Consecutive bits share an octet, written when the first of them comes.
  let bitsAt = 0;
  let bit = 8;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    // Reserved arguments are never looked up: a missing key is a slow lookup.
    const value = code < RESERVED_SHORT ? args[names[i]!] : undefined;
    if (code === BIT || code === RESERVED_BIT) {
      if (bit === 8) {
        bitsAt = w.pos;
        w.octet(0);
        bit = 0;
      }
      if (code === BIT && value === true) w.buf[bitsAt]! |= 1 << bit;
      bit++;
      continue;
    }
    bit = 8;
    switch (code) {
      case OCTET:
        w.octet((value as number | undefined) ?? 0);
        break;
      case SHORT:
        w.short((value as number | undefined) ?? 0);
        break;
      case LONG:
        w.long((value as number | undefined) ?? 0);
        break;
      case LONGLONG:
        w.longlong((value as number | undefined) ?? 0);
        break;
      case SHORTSTR:
        w.shortstr((value as string | undefined) ?? '');
        break;
      case LONGSTR:
        w.longstr((value as string | undefined) ?? '');
        break;
      case TABLE:
        writeTable(w, value as FieldTable | undefined);
        break;
      case RESERVED_SHORT:
        w.short(0);
        break;
      case RESERVED_SHORTSTR:
        w.octet(0);
        break;
      case RESERVED_LONGSTR:
        w.long(0);
        break;
    }
  }
}
