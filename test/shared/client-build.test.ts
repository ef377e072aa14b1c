import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ByteWriter, CodecErrorCode, decodeContentHeader } from '../../shared/index.js';
import type * as Properties from '../../shared/properties.js';
import { throwsCodec } from './helpers.js';

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
