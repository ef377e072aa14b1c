import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AmqpCodecError, ByteReader, ByteWriter, methodInfoByName, writeMethodPayload } from '../../shared/index.js';
import { readHotArgs } from '../../shared/hot-methods.js';
import { readArgsByTable } from '../../shared/method-codec.js';
import type { MethodName } from '../../shared/index.js';
import { method } from './arbitraries.js';
import { runs } from './helpers.js';

const HOT: readonly MethodName[] = ['basic.publish', 'basic.deliver', 'basic.ack', 'basic.nack', 'basic.reject'];
const keyOf = (name: MethodName) => {
  const info = methodInfoByName(name);
  return info.classId * 65536 + info.methodId;
};

type Outcome = { args: unknown; pos: number } | { code: string };

function outcome(read: (r: ByteReader) => unknown, bytes: Uint8Array): Outcome {
  const r = new ByteReader(bytes);
  try {
    return { args: read(r), pos: r.pos };
  } catch (err) {
    assert.ok(err instanceof AmqpCodecError, String(err));
    return { code: err.code };
  }
}

/** A hot method's arguments as the writer puts them on the wire, without the class and method ids. */
const encodedArgs = method
  .filter((m) => HOT.includes(m.name))
  .map((m) => {
    const w = new ByteWriter();
    writeMethodPayload(w, m);
    return { name: m.name, bytes: w.take().slice(4) };
  });

/** The encoded arguments, cut short or followed by more bytes, so errors and leftovers are compared too. */
const mangled = fc.tuple(encodedArgs, fc.nat(), fc.uint8Array({ maxLength: 6 })).map(([m, cut, extra]) => {
  const keep = cut % (m.bytes.length + 1);
  return { name: m.name, bytes: Uint8Array.from([...m.bytes.subarray(0, keep), ...extra]) };
});

describe('hand-written readers of the hot methods', () => {
  test('each hot method has one (in the gateway build)', () => {
    for (const name of HOT) {
      const w = new ByteWriter();
      writeMethodPayload(w, { name, args: {} } as never);
      assert.notEqual(readHotArgs(keyOf(name), new ByteReader(w.take().slice(4))), undefined, name);
    }
  });

  test('other methods are left to the table', () => {
    assert.equal(readHotArgs(keyOf('basic.qos'), new ByteReader(new Uint8Array(7))), undefined);
  });

  test('read what the table reads, consume the same bytes and fail with the same codes', () => {
    fc.assert(
      fc.property(fc.oneof(encodedArgs, mangled), ({ name, bytes }) => {
        const key = keyOf(name);
        assert.deepEqual(
          outcome((r) => readHotArgs(key, r), bytes),
          outcome((r) => readArgsByTable(key, r), bytes),
          name,
        );
      }),
      { numRuns: runs(2000) },
    );
  });
});
