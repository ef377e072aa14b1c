/**
 * amqplib's generated codec (`lib/defs.js`), the independent implementation the
 * differential tests compare against. The package's `exports` hide the file, so
 * it is loaded by path next to the package's resolved entry point.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** A decoded or to-be-encoded argument set, in amqplib's naming. */
export type AmqplibFields = Record<string, unknown>;

/** The parts of amqplib's `defs.js` used here. */
export interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: AmqplibFields): Buffer;
  decode(id: number, buf: Buffer): AmqplibFields;
  encodeProperties(id: number, channel: number, size: number, fields: AmqplibFields): Buffer;
  [name: string]: unknown;
}

const require = createRequire(import.meta.url);

/** amqplib's codec module. */
export const defs = require(path.join(path.dirname(require.resolve('amqplib')), 'lib', 'defs.js')) as AmqplibDefs;

/** amqplib's numeric id for a class/method pair: `classId << 16 | methodId`. */
export function amqplibId(classId: number, methodId: number): number {
  return classId * 65536 + methodId;
}
