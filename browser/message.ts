import { decodeUtf8, type BasicProperties } from '../shared/index.js';
import type { Channel } from './channel.js';

/**
 * A message received by basic.deliver (a consumer), basic.get-ok or basic.return.
 * Which fields are set depends on how it came: `consumerTag` for deliveries,
 * `messageCount` for basicGet, `replyCode`/`replyText` for returns.
 */
export class Message {
  // Set by the channel as the frames arrive; declared only, so no field initializers run.
  declare body: Uint8Array;
  declare properties: BasicProperties;
  declare exchange: string;
  declare routingKey: string;
  declare deliveryTag: number;
  declare redelivered: boolean;
  declare consumerTag?: string;
  declare messageCount?: number;
  declare replyCode?: number;
  declare replyText?: string;
  readonly channel: Channel;
  /** The channel's incarnation when the message came; a tag from an older one means nothing to the broker. */
  private readonly _epoch: number;

  /** @internal */
  constructor(channel: Channel, args: object) {
    this.channel = channel;
    this._epoch = channel._epoch;
    Object.assign(this, args);
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return decodeUtf8(this.body, 0, this.body.length);
  }

  /** The body parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }

  /**
   * Acknowledges this message. After a reconnect the broker has already requeued
   * deliveries of the lost connection, so settling one of those does nothing
   * (sending its stale tag would close the new channel).
   */
  ack(multiple = false): void {
    if (this._current()) this.channel.basicAck(this.deliveryTag, multiple);
  }

  nack(requeue = true, multiple = false): void {
    if (this._current()) this.channel.basicNack(this.deliveryTag, multiple, requeue);
  }

  reject(requeue = true): void {
    if (this._current()) this.channel.basicReject(this.deliveryTag, requeue);
  }

  private _current(): boolean {
    return this._epoch === this.channel._epoch;
  }
}
