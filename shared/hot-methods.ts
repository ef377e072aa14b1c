import type { ByteReader } from './byte-reader.js';
import { SPEC } from './spec.js';

/**
 * Whether the hand-written readers below are used. rollup.config.mjs turns it
 * off in the browser bundle, where a page's few acks do not pay for the bytes.
 */
const HOT_READERS = true;

// class id × 65536 + method id, from the table
const { id: BASIC, methods } = SPEC.basic;
const PUBLISH = BASIC * 65536 + methods.publish.id;
const DELIVER = BASIC * 65536 + methods.deliver.id;
const ACK = BASIC * 65536 + methods.ack.id;
const REJECT = BASIC * 65536 + methods.reject.id;
const NACK = BASIC * 65536 + methods.nack.id;

/**
 * The arguments of the methods a busy connection carries most, read by hand:
 * an object literal has its final shape from the start, where the table-driven
 * loop adds keys one at a time through a store shared by every method (half of
 * an ack's decode time). Returns undefined for every other method.
 * test/shared/hot-methods.test.ts holds each to the table's reading.
 */
export function readHotArgs(key: number, r: ByteReader): object | undefined {
  if (!HOT_READERS) return undefined;
  switch (key) {
    case ACK:
      return { deliveryTag: r.longlong(), multiple: (r.octet() & 1) !== 0 };
    case NACK: {
      const deliveryTag = r.longlong();
      const bits = r.octet();
      return { deliveryTag, multiple: (bits & 1) !== 0, requeue: (bits & 2) !== 0 };
    }
    case REJECT:
      return { deliveryTag: r.longlong(), requeue: (r.octet() & 1) !== 0 };
    case PUBLISH: {
      r.short(); // reserved ticket
      const exchange = r.shortstr();
      const routingKey = r.shortstr();
      const bits = r.octet();
      return { exchange, routingKey, mandatory: (bits & 1) !== 0, immediate: (bits & 2) !== 0 };
    }
    case DELIVER: {
      const consumerTag = r.shortstr();
      const deliveryTag = r.longlong();
      const redelivered = (r.octet() & 1) !== 0;
      return { consumerTag, deliveryTag, redelivered, exchange: r.shortstr(), routingKey: r.shortstr() };
    }
    default:
      return undefined;
  }
}
