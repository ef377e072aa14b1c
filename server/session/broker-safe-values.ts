import { AmqpCodecError, CodecErrorCode, Decimal, ReplyCode, Typed, type FieldValue } from '../../shared/index.js';

/**
 * Field-table values that are legal AMQP but that RabbitMQ cannot parse: its
 * reader has no clause for NaN or ±Infinity floats (Erlang floats cannot hold
 * them) nor for the unsigned 64-bit type `L`, and it drops the connection
 * without a connection.close when it meets one. The gateway refuses them
 * itself with 502 SYNTAX_ERROR instead of passing them on.
 *
 * @throws {AmqpCodecError} 502 for the first such value found.
 */
export function assertBrokerSafe(value: FieldValue | undefined): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unsafe(`${value} cannot be sent to the broker`);
    return;
  }
  if (typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date || value instanceof Decimal) {
    return;
  }
  if (value instanceof Typed) {
    if (value.type === 'L') throw unsafe("the field type 'L' (unsigned 64-bit) is not supported by the broker");
    if (typeof value.value === 'number' && !Number.isFinite(value.value)) {
      throw unsafe(`${value.value} cannot be sent to the broker`);
    }
    return;
  }
  // Nesting is bounded by the codec's own limit: this walks only what it decoded.
  if (Array.isArray(value)) {
    for (const item of value) assertBrokerSafe(item);
    return;
  }
  for (const key of Object.keys(value)) assertBrokerSafe(value[key]);
}

function unsafe(detail: string): AmqpCodecError {
  return new AmqpCodecError(CodecErrorCode.InvalidValue, ReplyCode.SyntaxError, detail);
}
