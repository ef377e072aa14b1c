import type { FieldTable } from '../shared/index.js';
import type { Channel } from './channel.js';
import { guard } from './emitter.js';
import { WarrenError } from './errors.js';
import type { Message } from './message.js';
import { JOB_BYTES } from './waiting.js';

/** Options of basic.consume. */
export interface ConsumeOptions {
  /** Chosen by the broker when empty. Kept across reconnects. */
  consumerTag?: string;
  noAck?: boolean;
  exclusive?: boolean;
  noLocal?: boolean;
  arguments?: FieldTable;
}

/**
 * A subscription. With a callback, messages go to it; without one, iterate:
 * `for await (const msg of consumer)`. Leaving the loop cancels the consumer;
 * the loop ends when the consumer is cancelled (by `cancel()` or by the broker)
 * and throws the channel's error when the channel closes. Messages wait in
 * memory until the loop takes them; `basicQos` with acks keeps them few.
 * Once more than the connection's `maxWaitingBytes` wait (bodies, and 64
 * bytes a message), the consumer is cancelled, so the broker stops sending
 * (what it sent before it took the cancel still comes), and the loop takes
 * every message that came, then throws `ERR_WAIT_FULL`. Nothing is lost:
 * messages not sent stay in the queue, and those that came can still be acked.
 */
export class Consumer implements AsyncIterable<Message> {
  readonly channel: Channel;
  readonly tag: string;
  /** The queue consumed from; follows the queue's new name when a reconnect re-declared a server-named queue. */
  queue: string;
  /** The options it was created with, to resume it after a reconnect. */
  readonly options: ConsumeOptions;
  private readonly _callback: ((message: Message) => void) | undefined;
  private readonly _buffer: Message[] = [];
  /** What `_buffer` counts against `maxWaitingBytes`. */
  private _buffered = 0;
  /** The channel's `_epoch` when the consumer was cancelled for passing `maxWaitingBytes`. */
  private _cancelled?: number;
  /** Resumes the iterator waiting for a message; calling it again once it resumed does nothing. */
  private _wake: (() => void) | undefined;
  private _done?: boolean;
  private _error: unknown;

  /** @internal */
  constructor(
    channel: Channel,
    tag: string,
    queue: string,
    options: ConsumeOptions,
    callback: ((message: Message) => void) | undefined,
  ) {
    this.channel = channel;
    this.tag = tag;
    this.queue = queue;
    this.options = options;
    this._callback = callback;
  }

  /** Stops the subscription (basic.cancel). */
  cancel(): Promise<void> {
    return this.channel.basicCancel(this.tag);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    try {
      for (;;) {
        const next = this._buffer.shift();
        if (next !== undefined) {
          this._buffered -= next.body.length + JOB_BYTES;
          yield next;
        } else if (this._done) {
          if (this._error !== undefined) throw this._error;
          return;
        } else await new Promise<void>((resolve) => (this._wake = resolve));
      }
    } finally {
      // A dead channel has no subscription left to cancel.
      if (!this._done) await this.cancel().catch(() => {});
    }
  }

  /** @internal */
  _push(message: Message): void {
    if (this._callback !== undefined) guard(this._callback, message);
    else {
      this._buffer.push(message);
      if (
        (this._buffered += message.body.length + JOB_BYTES) > this.channel.connection._options.maxWaitingBytes &&
        this._cancelled !== this.channel._epoch
      ) {
        // Cancelled, so the broker stops sending; the loop takes what came (up to the cancel-ok that
        // ends it), then throws this. Once per incarnation of the channel: a reconnect that came
        // before the cancel-ok restored the consumer.
        this._cancelled = this.channel._epoch;
        this._error = new WarrenError('ERR_WAIT_FULL', 'maxWaitingBytes');
        this.cancel().catch(() => {});
      }
      this._wake?.();
    }
  }

  /** @internal The subscription ended: cancelled (no error) or its channel closed. */
  _end(error?: unknown): void {
    this._done = true;
    this._error ??= error;
    this._wake?.();
  }
}
