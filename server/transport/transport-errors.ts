/** Stable codes of {@link TransportError}. */
export const TransportErrorCode = {
  /** The uWebSockets.js module is not installed or has no binary for this platform and Node version. */
  UwsUnavailable: 'ERR_UWS_UNAVAILABLE',
  /** The backend could not bind the host and port. */
  ListenFailed: 'ERR_LISTEN_FAILED',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

/** The command that installs the uWebSockets.js build the gateway is tested with. */
export const UWS_INSTALL_COMMAND =
  'npm install uWebSockets.js@npm:@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0';

/** A WebSocket backend that cannot start. */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
