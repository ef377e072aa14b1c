/**
 * @internal A connection's states, as numbers (they minify smaller than
 * names), in order: from `CLOSING` on, the connection never opens again.
 */
export const IDLE = 0;
export const CONNECTING = 1;
export const OPEN = 2;
export const RECONNECTING = 3;
export const CLOSING = 4;
export const CLOSED = 5;

/** @internal */
export type State =
  typeof IDLE | typeof CONNECTING | typeof OPEN | typeof RECONNECTING | typeof CLOSING | typeof CLOSED;
