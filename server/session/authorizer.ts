import type { Method } from '../../shared/index.js';

/** Why an operation was refused: what the browser is told in channel.close or connection.close. */
export interface Denial {
  readonly replyCode: number;
  readonly replyText: string;
}

/** The permission decisions one session's token allows. Replaced whole when the token is refreshed. */
export interface Authorizer {
  /**
   * Undefined when `method` may go to the broker. `lastQueue` is the channel's
   * last declared queue, which an empty queue name stands for.
   */
  authorize(method: Method, vhost: string, lastQueue: string): Denial | undefined;
  /** The 530 answer when the token does not grant `vhost`. */
  refuseVhost(vhost: string): Denial | undefined;
}
