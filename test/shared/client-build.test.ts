import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  ByteReader,
  ByteWriter,
  CodecErrorCode,
  decodeContentHeader,
  decodeMethod,
  decodeUtf8,
  encodeUtf8,
  MAX_TABLE_DEPTH,
  writeTable,
  type FieldTable,
} from '../../shared/index.js';
import { encodeUtf8Into } from '../../shared/utf8.js';
import type * as Errors from '../../shared/errors.js';
import type * as FieldTables from '../../shared/field-table.js';
import type * as MethodCodec from '../../shared/method-codec.js';
import type * as Properties from '../../shared/properties.js';
import type * as Utf8 from '../../shared/utf8.js';
import { runs, throwsCodec } from './helpers.js';

type PropertiesModule = typeof Properties;

/**
 * The compiled module with `flags` turned off the way rollup.config.mjs's client-flags
 * plugin turns them off for the browser bundle, so code only the bundle runs is tested too.
 * The copy sits beside the original for its relative imports, and is removed once loaded.
 */
async function clientVariant<T>(module: string, flags: readonly string[]): Promise<T> {
  const original = new URL(`../../shared/${module}.js`, import.meta.url);
  let code = readFileSync(original, 'utf8');
  for (const flag of flags) {
    const off = code.replace(`const ${flag} = true;`, `const ${flag} = false;`);
    assert.notEqual(off, code, `${flag} not found in ${module}.js`);
    code = off;
  }
  const copy = new URL(`./${module}.client-${process.pid}.js`, original);
  writeFileSync(copy, code);
  try {
    return (await import(copy.href)) as T;
  } finally {
    unlinkSync(copy);
  }
}

/** A basic content header with property flags `flags`, the short strings after them, then `extra` bytes. */
function header(flags: number, strings: readonly string[], extra: readonly number[] = []): Uint8Array {
  const w = new ByteWriter();
  w.short(60);
  w.short(0);
  w.longlong(5);
  w.short(flags);
  for (const s of strings) w.shortstr(s);
  for (const b of extra) w.octet(b);
  return w.take();
}

const CONTENT_TYPE = 0x8000;
const CLUSTER_ID = 0x0004;

describe('content headers in the client build (STRICT_HEADERS off)', () => {
  test('flag bits 1 and 0 name no property: the properties that are named are read, nothing else', async () => {
    const lenient = await clientVariant<PropertiesModule>('properties', ['STRICT_HEADERS', 'NO_PROPERTIES_FAST_PATH']);
    for (const stray of [0b01, 0b10, 0b11]) {
      const decoded = lenient.decodeContentHeader(header(CONTENT_TYPE | CLUSTER_ID | stray, ['text/plain', 'c1']));
      assert.deepEqual(decoded, {
        classId: 60,
        bodySize: 5,
        properties: { contentType: 'text/plain', clusterId: 'c1' },
      });
    }
    assert.deepEqual(lenient.decodeContentHeader(header(0b11, [])).properties, {});
  });

  test('bytes after the last property are left unread', async () => {
    const lenient = await clientVariant<PropertiesModule>('properties', ['STRICT_HEADERS']);
    const decoded = lenient.decodeContentHeader(header(CONTENT_TYPE, ['a'], [1, 2, 3]));
    assert.deepEqual(decoded.properties, { contentType: 'a' });
  });

  test('the gateway build refuses both', () => {
    throwsCodec(
      () => decodeContentHeader(header(CONTENT_TYPE | CLUSTER_ID | 0b10, ['text/plain', 'c1'])),
      CodecErrorCode.InvalidValue,
      502,
    );
    throwsCodec(() => decodeContentHeader(header(CONTENT_TYPE, ['a'], [1])), CodecErrorCode.TrailingBytes, 501);
  });
});

describe('strings in the client build (ASCII_FAST_PATHS and NAME_CACHE off)', () => {
  test('encode and decode exactly as the gateway build does, and refuse what does not fit alike', async () => {
    const lean = await clientVariant<typeof Utf8>('utf8', ['ASCII_FAST_PATHS', 'NAME_CACHE']);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.nat(420), (text, room) => {
        const [a, b] = [new Uint8Array(room + 6), new Uint8Array(room + 6)];
        const written = encodeUtf8Into(text, a, 3, room);
        assert.equal(lean.encodeUtf8Into(text, b, 3, room), written);
        if (written >= 0) assert.deepEqual(b.subarray(3, 3 + written), a.subarray(3, 3 + written));
        const bytes = encodeUtf8(text);
        assert.equal(lean.decodeUtf8(bytes, 0, bytes.length), decodeUtf8(bytes, 0, bytes.length));
      }),
      { numRuns: runs(1000) },
    );
  });

  test('decode invalid UTF-8 as the gateway build does', async () => {
    const lean = await clientVariant<typeof Utf8>('utf8', ['ASCII_FAST_PATHS', 'NAME_CACHE']);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        assert.equal(lean.decodeUtf8(bytes, 0, bytes.length), decodeUtf8(bytes, 0, bytes.length));
      }),
      { numRuns: runs(1000) },
    );
  });
});

describe('field tables in the client build (TABLE_DEPTH_LIMIT off)', () => {
  /** A table nesting `depth` tables below it. */
  function nested(depth: number): FieldTable {
    let table: FieldTable = { leaf: 1 };
    for (let i = 0; i < depth; i++) table = { t: table };
    return table;
  }

  test('a table nested past the gateway’s limit round-trips', async () => {
    const lean = await clientVariant<typeof FieldTables>('field-table', ['TABLE_DEPTH_LIMIT']);
    const deep = nested(MAX_TABLE_DEPTH + 100);
    const w = new ByteWriter();
    lean.writeTable(w, deep);
    assert.deepEqual(lean.readTable(new ByteReader(w.take())), deep);
    throwsCodec(() => writeTable(new ByteWriter(), deep), CodecErrorCode.TooDeep, 502);
  });

  test('a cyclic table fails to encode with a RangeError, not a hang', async () => {
    const lean = await clientVariant<typeof FieldTables>('field-table', ['TABLE_DEPTH_LIMIT']);
    const cyclic: FieldTable = {};
    cyclic['self'] = cyclic;
    assert.throws(() => lean.writeTable(new ByteWriter(), cyclic), RangeError);
  });
});

describe('method decoding and codec errors in the client build (METHOD_IN_ERRORS and ERROR_OPTIONS off)', () => {
  /** A method frame's payload: class and method ids, then `args` as octets. */
  function payload(classId: number, methodId: number, args: readonly number[]): Uint8Array {
    const w = new ByteWriter();
    w.short(classId);
    w.short(methodId);
    for (const b of args) w.octet(b);
    return w.take();
  }
  // basic.publish: reserved short, exchange '', routing key 'q', no bits.
  const PUBLISH = payload(60, 40, [0, 0, 0, 1, 0x71, 0]);

  test('a method decodes as in the gateway; a bad one fails with the same code and reply code, naming no method', async () => {
    const client = await clientVariant<typeof MethodCodec>('method-codec', ['METHOD_IN_ERRORS']);
    assert.deepEqual(client.decodeMethod(PUBLISH), decodeMethod(PUBLISH));
    const bad = [
      payload(99, 1, []), // unknown method
      PUBLISH.subarray(0, 6), // truncated arguments
      payload(60, 40, [0, 0, 0, 1, 0x71, 0, 7]), // a byte after the arguments
    ];
    for (const bytes of bad) {
      const inGateway = catchCodecError(() => decodeMethod(bytes));
      const inClient = catchCodecError(() => client.decodeMethod(bytes));
      assert.equal(inClient.code, inGateway.code);
      assert.equal(inClient.replyCode, inGateway.replyCode);
      assert.ok(inGateway.classId !== 0, `the gateway names the method: ${inGateway.message}`);
      assert.equal(inClient.classId, 0);
      assert.equal(inClient.methodId, 0);
    }
  });

  test('an AmqpCodecError keeps its code, reply code and message; options are not read', async () => {
    const client = await clientVariant<typeof Errors>('errors', ['ERROR_OPTIONS']);
    const error = new client.AmqpCodecError(CodecErrorCode.Truncated, 501, 'short', {
      classId: 60,
      methodId: 40,
      cause: new Error('inner'),
    });
    assert.ok(error instanceof Error);
    assert.deepEqual(
      [error.name, error.code, error.replyCode, error.message],
      ['AmqpCodecError', CodecErrorCode.Truncated, 501, 'short'],
    );
    assert.deepEqual([error.classId, error.methodId, error.cause], [0, 0, undefined]);
  });
});

function catchCodecError(fn: () => unknown): {
  code: string;
  replyCode: number;
  classId: number;
  methodId: number;
  message: string;
} {
  try {
    fn();
  } catch (err) {
    return err as { code: string; replyCode: number; classId: number; methodId: number; message: string };
  }
  assert.fail('no error');
}
