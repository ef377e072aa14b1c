import { ReplyCode } from '../../shared/index.js';

/** Stable codes for failures on the gateway's broker side. */
export const BrokerErrorCode = {
  /** No broker URL accepted a connection (network, TLS, timeout). */
  Unreachable: 'ERR_BROKER_UNREACHABLE',
  /** The broker answered the handshake with connection.close (bad credentials, vhost not found…). */
  Refused: 'ERR_BROKER_REFUSED',
  /** The broker spoke something other than AMQP 0-9-1 or broke the handshake's order. */
  Protocol: 'ERR_BROKER_PROTOCOL',
  /** The broker connection closed under an open session. */
  Lost: 'ERR_BROKER_LOST',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** A broker-side failure; `replyCode`/`replyText` are what the browser is told. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';

  constructor(
    readonly code: BrokerErrorCode,
    readonly replyCode: number,
    readonly replyText: string,
    readonly classId = 0,
    readonly methodId = 0,
    options?: { cause?: unknown },
  ) {
    super(replyText, options);
  }

  /** The broker spoke something other than AMQP 0-9-1, or out of order. */
  static protocol(detail: string): BrokerError {
    return new BrokerError(BrokerErrorCode.Protocol, ReplyCode.InternalError, `INTERNAL_ERROR - ${detail}`);
  }

  static unreachable(detail: string, cause?: unknown): BrokerError {
    return new BrokerError(
      BrokerErrorCode.Unreachable,
      ReplyCode.InternalError,
      `INTERNAL_ERROR - no broker reachable: ${detail}`,
      0,
      0,
      { cause },
    );
  }
}
