/**
 * Values of AMQP field tables and arrays. Common types map to plain JavaScript
 * values; the rest are wrapped so that a decoded table encodes back to the same
 * type octets (a decimal stays a decimal, an unsigned byte stays `B`).
 *
 * | octet | decodes to | a plain value encodes as |
 * | --- | --- | --- |
 * | t | boolean | boolean |
 * | I | number | integer in int32 range |
 * | l | bigint | bigint, or an integer outside int32 |
 * | d | number | non-integer number |
 * | S | string | string |
 * | x | Uint8Array | Uint8Array |
 * | T | Date (whole seconds) | Date |
 * | V | null | null or undefined |
 * | F | FieldTable | plain object |
 * | A | FieldValue[] | array |
 * | D | Decimal | Decimal |
 * | b B s u i L f | Typed | Typed |
 */
export type FieldValue =
  boolean | number | bigint | string | Uint8Array | Date | null | Decimal | Typed | FieldTable | FieldValue[];

/** A field table: names to values, in insertion order. */
export interface FieldTable {
  [name: string]: FieldValue;
}

/** AMQP decimal: `value × 10^-scale`, with `scale` an octet and `value` a uint32. */
export class Decimal {
  constructor(
    readonly scale: number,
    readonly value: number,
  ) {}

  toNumber(): number {
    return this.value / 10 ** this.scale;
  }
}

/** Type octets that have no plain JavaScript value of their own. */
export type TypedOctet = 'b' | 'B' | 's' | 'u' | 'i' | 'L' | 'f';

/**
 * A value pinned to one wire type: `new Typed('B', 200)` is an unsigned byte,
 * `new Typed('L', 2n ** 64n - 1n)` an unsigned 64-bit integer, `new Typed('f', 1.5)` a float32.
 */
export class Typed {
  constructor(
    readonly type: TypedOctet,
    readonly value: number | bigint,
  ) {}

  valueOf(): number | bigint {
    return this.value;
  }
}
