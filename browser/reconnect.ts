import { backoffDelay } from './backoff.js';
import type { Connection } from './connection.js';
import { WarrenError } from './errors.js';
import type { ConnectOptions } from './options.js';
import { RECONNECTING } from './state.js';

/**
 * Whether a connection that ended with `reason` is worth reopening: a lost
 * socket, a gateway or broker going away (320, 541), or an expired token
 * when a token function can supply a new one (403). Refusals that a retry
 * cannot change (a vhost not granted, a protocol error) are final.
 */
export function retryable(reason: unknown, options: ConnectOptions): boolean {
  const code = reason instanceof WarrenError ? reason.replyCode : 0;
  return code === 0 || code === 320 || code === 541 || (code === 403 && typeof options.token === 'function');
}

/**
 * Reopens `connection` with exponential backoff and jitter, then restores
 * topology and channels; calls waiting meanwhile run once it is open again.
 * Gives up after `maxAttempts` or a final refusal, closing the connection.
 */
export async function reconnect(connection: Connection, error: unknown): Promise<void> {
  connection._state = RECONNECTING;
  const options = connection.options.reconnect || {};
  for (let attempt = 0; attempt < (options.maxAttempts ?? Infinity); attempt++) {
    const delay = backoffDelay(attempt, options);
    connection._emit('reconnecting', { attempt: attempt + 1, delay, error });
    // close() clears this timer and the loop is left behind, never resumed.
    await new Promise((resolve) => (connection._sleep = setTimeout(resolve, delay)));
    try {
      await connection._open();
      const renamedQueues = await restore(connection);
      if (connection._socket === undefined) throw new WarrenError('ERR_CONNECTION_LOST', 'connection lost');
      if (connection._state !== RECONNECTING) return;
      connection._up();
      connection._emit('reconnected', { renamedQueues });
      return connection._pump();
    } catch (err) {
      if (connection._state !== RECONNECTING) return;
      connection._socket?._close();
      error = err;
      if (!retryable(err, connection.options)) break;
    }
  }
  connection._finish(
    error instanceof WarrenError ? error : new WarrenError('ERR_CONNECTION_LOST', 'gave up', 0, 0, 0, error),
  );
}

/** Declares the recorded topology on a scratch channel, then reopens every channel with its consumers. */
async function restore(connection: Connection): Promise<Map<string, string>> {
  const channels = [...connection._channels.values()];
  const report = (err: unknown): void => connection._emit('error', err);
  let temp = await connection._newChannel();
  const renamed = await connection._topology._restore(
    temp,
    async () => (temp = await connection._newChannel()),
    report,
  );
  await temp._call('channel.close', { replyCode: 200 }, true);
  temp._shutdown(new WarrenError('ERR_CLOSED', 'channel closed'), false);
  for (const channel of channels) {
    try {
      await channel._open(renamed);
    } catch (err) {
      report(err);
      channel._shutdown(err as WarrenError, true);
    }
  }
  return renamed;
}
