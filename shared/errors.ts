import { ReplyCode } from './constants.js';

/** Stable codes of the errors the codec raises. */
export const CodecErrorCode = {
  /** The bytes before the first frame are not `AMQP\x00\x00\x09\x01`. */
  ProtocolHeader: 'ERR_PROTOCOL_HEADER',
  /** A frame did not end with the 0xCE frame-end octet. */
  FrameEnd: 'ERR_FRAME_END',
  /** A frame declared a payload larger than the negotiated frame_max. */
  FrameTooLarge: 'ERR_FRAME_TOO_LARGE',
  /** A frame type octet outside 1, 2, 3, 8. */
  FrameType: 'ERR_FRAME_TYPE',
  /** A field, string or table ran past the end of its frame. */
  Truncated: 'ERR_TRUNCATED',
  /** Bytes left over after the last argument of a method or header. */
  TrailingBytes: 'ERR_TRAILING_BYTES',
  /** A class/method pair that AMQP 0-9-1 (with RabbitMQ's extensions) does not define. */
  UnknownMethod: 'ERR_UNKNOWN_METHOD',
  /** A field-table value type octet that is not one of `tbBsuIilLfdDSxTFAV`. */
  UnknownFieldType: 'ERR_UNKNOWN_FIELD_TYPE',
  /** Tables and arrays nested deeper than the codec allows. */
  TooDeep: 'ERR_TOO_DEEP',
  /** A value that cannot be encoded (a short string over 255 bytes, an integer out of range…). */
  InvalidValue: 'ERR_INVALID_VALUE',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

/**
 * Whether an error takes `options`. rollup.config.mjs turns it off in the
 * browser bundle, where no error is made with any (see METHOD_IN_ERRORS in
 * method-codec.ts): there `classId` and `methodId` are 0 and `cause` unset.
 */
const ERROR_OPTIONS = true;

/**
 * Raised for malformed or unencodable AMQP input. `replyCode` is the reply code
 * a peer answers it with in `connection.close` (501 FRAME_ERROR, 502 SYNTAX_ERROR,
 * 503 COMMAND_INVALID…); `classId`/`methodId` name the method being decoded, or 0.
 */
export class AmqpCodecError extends Error {
  override readonly name = 'AmqpCodecError';
  readonly code: CodecErrorCode;
  readonly replyCode: ReplyCode;
  readonly classId: number;
  readonly methodId: number;

  constructor(
    code: CodecErrorCode,
    replyCode: ReplyCode,
    message: string,
    options: { classId?: number; methodId?: number; cause?: unknown } = {},
  ) {
    super(message, !ERROR_OPTIONS || options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.replyCode = replyCode;
    this.classId = ERROR_OPTIONS ? (options.classId ?? 0) : 0;
    this.methodId = ERROR_OPTIONS ? (options.methodId ?? 0) : 0;
  }
}

/** A malformed frame or field that the reader could not decode: 501 FRAME_ERROR. */
export function frameError(code: CodecErrorCode, message: string): AmqpCodecError {
  return new AmqpCodecError(code, ReplyCode.FrameError, message);
}

/** A well-framed value that is not legal: 502 SYNTAX_ERROR. */
export function syntaxError(code: CodecErrorCode, message: string): AmqpCodecError {
  return new AmqpCodecError(code, ReplyCode.SyntaxError, message);
}
