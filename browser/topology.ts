import type { FieldTable } from '../shared/index.js';
import type { Channel } from './channel.js';

/** Arguments of a recorded declaration or binding, as sent. */
type Args = Record<string, unknown>;
type BindMethod = 'queue.bind' | 'exchange.bind';

/**
 * What this connection declared and bound, to declare it again after a
 * reconnect: exclusive and auto-delete queues died with the old connection,
 * and a server-named queue comes back under a new name that bindings and
 * consumers must follow. Passive declarations are checks and are not recorded.
 */
export class Topology {
  private readonly _exchanges = new Map<string, Args>();
  /** By current name; a server-named queue's args keep `queue: ''`. */
  private _queues = new Map<string, Args>();
  private readonly _bindings = new Map<string, [BindMethod, Args]>();

  _exchange(name: string, args: Args | undefined): void {
    if (args === undefined) {
      this._exchanges.delete(name);
      this._dropBindings((a) => a['exchange'] === name || a['source'] === name || a['destination'] === name);
    } else this._exchanges.set(name, args);
  }

  _queue(name: string, args: Args | undefined): void {
    if (args === undefined) {
      this._queues.delete(name);
      this._dropBindings((a) => a['queue'] === name);
    } else this._queues.set(name, args);
  }

  _bind(method: BindMethod, args: Args, bound: boolean): void {
    // bigint is legal in field tables but not in JSON.
    const key = method + JSON.stringify(args, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (bound) this._bindings.set(key, [method, args]);
    else this._bindings.delete(key);
  }

  /**
   * Declares everything again through `channel` and returns the queues that
   * came back under a new name (old → new). Failures are reported to `onError`
   * and skipped; `channel` is replaced by `reopen()` after a failure closed it.
   */
  async _restore(
    channel: Channel,
    reopen: () => Promise<Channel>,
    onError: (error: unknown) => void,
  ): Promise<Map<string, string>> {
    const renamed = new Map<string, string>();
    const run = async (name: string, args: Args): Promise<Args | undefined> => {
      try {
        return await channel._call<Args>(name as 'queue.declare', args, true);
      } catch (err) {
        onError(err);
        channel = await reopen();
        return undefined;
      }
    };
    for (const args of this._exchanges.values()) await run('exchange.declare', args);
    const queues = new Map<string, Args>();
    for (const [name, args] of this._queues) {
      const ok = await run('queue.declare', args);
      const now = (ok?.['queue'] as string | undefined) ?? name;
      if (now !== name) renamed.set(name, now);
      queues.set(now, args);
    }
    this._queues = queues;
    for (const [key, [method, args]] of [...this._bindings]) {
      const queue = renamed.get(args['queue'] as string);
      let now = args;
      if (queue !== undefined) {
        this._bindings.delete(key);
        this._bind(method, (now = { ...args, queue }), true);
      }
      await run(method, now);
    }
    return renamed;
  }

  private _dropBindings(matches: (args: Args) => boolean): void {
    for (const [key, [, args]] of this._bindings) if (matches(args)) this._bindings.delete(key);
  }
}

/** Declaration options shared by exchanges and queues. */
export interface DeclareOptions {
  passive?: boolean;
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: FieldTable;
}
