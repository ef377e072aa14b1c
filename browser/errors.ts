/**
 * Stable codes of the errors the client raises; `switch (err.code)` on these, never on the text.
 * The client itself writes them as string literals (checked against the `ErrorCode` type),
 * which minify smaller than member accesses.
 */
export const ErrorCode = {
  /** The broker or gateway closed the connection (`replyCode` says why: 403, 530, 320…). */
  ConnectionClosed: 'ERR_CONNECTION_CLOSED',
  /** The broker closed the channel (`replyCode` 404, 406, 403…); the channel is unusable. */
  ChannelClosed: 'ERR_CHANNEL_CLOSED',
  /**
   * The socket dropped while the operation was in flight (an RPC, an unconfirmed publish). Also, usually,
   * why reconnecting gave up after `maxAttempts`: the connection closes with the last attempt's error.
   */
  ConnectionLost: 'ERR_CONNECTION_LOST',
  /** The connection or channel was closed by this client (`close()`). */
  Closed: 'ERR_CLOSED',
  /** Waited longer than allowed: to connect, or for a writable connection (`waitTimeout`), or for an RPC reply. */
  Timeout: 'ERR_TIMEOUT',
  /** More was waiting for a writable connection, or for a consumer's loop, than `maxWaitingBytes` allows. */
  WaitFull: 'ERR_WAIT_FULL',
  /** The broker answered a confirmed publish with basic.nack. */
  Nacked: 'ERR_NACKED',
  /** No WebSocket class: pass `WebSocket` (the `ws` package on Node 20). */
  NoWebSocket: 'ERR_NO_WEBSOCKET',
  /** More channels than negotiated `channel_max`. */
  ChannelMax: 'ERR_CHANNEL_MAX',
  /**
   * A value AMQP cannot carry, refused before anything was sent: a name over
   * 255 bytes, a number outside its field's range (a `priority` of 300, a
   * `deliveryMode` of 'persistent'), a body that is not text or bytes.
   */
  InvalidValue: 'ERR_INVALID_VALUE',
  /** The peer sent something AMQP does not allow here. */
  Protocol: 'ERR_PROTOCOL',
  /** `connect()` on a connection already opening, open or closed: a connection opens once. */
  InvalidState: 'ERR_INVALID_STATE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Every error the client raises. AMQP closes keep the peer's `replyCode`,
 * `classId` and `methodId` (0 when not an AMQP close); wrapped failures keep `cause`.
 */
export class WarrenError extends Error {
  override readonly name = 'WarrenError';
  readonly code: ErrorCode;
  readonly replyCode: number;
  readonly classId: number;
  readonly methodId: number;

  constructor(code: ErrorCode, message: string, replyCode = 0, classId = 0, methodId = 0, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.replyCode = replyCode;
    this.classId = classId;
    this.methodId = methodId;
  }
}

/** The error for a connection.close or channel.close received from the peer. */
export function closeError(
  code: ErrorCode,
  args: { replyCode: number; replyText: string; classId: number; methodId: number },
): WarrenError {
  return new WarrenError(code, args.replyText, args.replyCode, args.classId, args.methodId);
}
