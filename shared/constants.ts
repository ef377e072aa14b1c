/** Frame type octets (AMQP 0-9-1 §4.2.3; 8 is RabbitMQ's heartbeat value). */
export const FrameType = {
  Method: 1,
  Header: 2,
  Body: 3,
  Heartbeat: 8,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Every frame ends with this octet. */
export const FRAME_END = 0xce;

/** type(1) + channel(2) + size(4). */
export const FRAME_HEADER_SIZE = 7;

/** Header plus the frame-end octet: what a frame costs beyond its payload. */
export const FRAME_OVERHEAD = FRAME_HEADER_SIZE + 1;

/** The smallest frame_max a peer may negotiate; frames up to this size are always legal. */
export const FRAME_MIN_SIZE = 4096;

/** `AMQP\x00\x00\x09\x01`: what a 0-9-1 client sends before its first frame. */
export const PROTOCOL_HEADER: Uint8Array = Uint8Array.of(0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1);

/** Reply codes of AMQP 0-9-1 (§1.9 constants). */
export const ReplyCode = {
  Success: 200,
  ContentTooLarge: 311,
  NoRoute: 312,
  NoConsumers: 313,
  ConnectionForced: 320,
  InvalidPath: 402,
  AccessRefused: 403,
  NotFound: 404,
  ResourceLocked: 405,
  PreconditionFailed: 406,
  FrameError: 501,
  SyntaxError: 502,
  CommandInvalid: 503,
  ChannelError: 504,
  UnexpectedFrame: 505,
  ResourceError: 506,
  NotAllowed: 530,
  NotImplemented: 540,
  InternalError: 541,
} as const;
export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

/** Reply text names, as RabbitMQ spells them at the start of a reply text. */
export const REPLY_NAMES: Readonly<Record<number, string>> = {
  200: 'OK',
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

/** Hard reply codes close the connection; the rest close only the channel. */
export function isConnectionLevelReply(code: number): boolean {
  return code === 320 || code === 402 || code >= 501;
}
