import { WebSocket } from 'ws';
import { connect, type Connection, type ConnectOptions, type WebSocketConstructor } from '../../browser/index.js';
import type { BarePipe } from '../helpers/bare-pipe.js';

/** The `ws` package's class, as the client's WebSocket (Node 20 has no global one). */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

/** Connects through `pipe` as guest, with the `ws` WebSocket. */
export function connectPipe(pipe: BarePipe, options: Partial<ConnectOptions> = {}): Promise<Connection> {
  return connect({ url: pipe.url, username: 'guest', token: 'guest', WebSocket: NodeWebSocket, ...options });
}

/** A name no other test run uses. */
export function unique(prefix: string): string {
  return `warren.test.${prefix}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any emitter's on/off, whatever its event map
type AnyEmitter = { on(type: any, fn: any): unknown; off(type: any, fn: any): unknown };

/** Resolves with the first event of `type` (by `on`/`off`), rejecting after `ms`. */
export function nextEvent<T extends unknown[]>(emitter: AnyEmitter, type: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    const fn = (...args: T): void => {
      clearTimeout(timer);
      emitter.off(type, fn);
      resolve(args);
    };
    emitter.on(type, fn);
  });
}

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, then waits `ms`, and returns the uncaught exceptions thrown
 * meanwhile (as a listener's are reported). The test runner's own handlers,
 * which would fail the test, are set aside until then.
 */
export async function uncaught(fn: () => Promise<void>, ms = 100): Promise<unknown[]> {
  const runner = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const errors: unknown[] = [];
  const collect = (err: unknown): void => void errors.push(err);
  process.on('uncaughtException', collect);
  try {
    await fn();
    await delay(ms);
  } finally {
    process.off('uncaughtException', collect);
    for (const listener of runner) process.on('uncaughtException', listener);
  }
  return errors;
}

/** The `ws` class, adding every socket it makes to `made` and then calling `onNew` with it. */
export function countingWebSocket(made: unknown[], onNew?: (ws: WebSocket) => void): WebSocketConstructor {
  return class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      made.push(this);
      onNew?.(this);
    }
  } as unknown as WebSocketConstructor;
}

/** A promise and its resolve function. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Runs `fn` with the global setTimeout holding every timer back to at least
 * `minMs`, as a background tab does (to a second, or a minute once hidden for
 * five); `fn` gets the real one for its own deadlines. Restored after.
 */
export async function withTimersHeldBack<T>(
  minMs: number,
  fn: (realSetTimeout: typeof setTimeout) => Promise<T>,
): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((handler: () => void, ms?: number) =>
    realSetTimeout(handler, Math.max(ms ?? 0, minMs))) as typeof setTimeout;
  try {
    return await fn(realSetTimeout);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}
