/** Event names to listener argument lists. */
export type EventMap = Record<string, unknown[]>;

/**
 * Calls page code (a listener, a consumer callback). What it throws never
 * reaches the client: as with EventTarget, it is reported as an uncaught
 * exception once the current task ends, and the client goes on.
 */
export function guard<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
  }
}

/** A tiny typed event emitter: the client's only dependency-free stand-in for Node's `events`. */
export class Emitter<E extends EventMap> {
  private _listeners: { [K in keyof E]?: ((...args: E[K]) => void)[] } = {};

  /** Calls `listener` on every `type` event until `off`. */
  on<K extends keyof E>(type: K, listener: (...args: E[K]) => void): this {
    (this._listeners[type] ??= []).push(listener);
    return this;
  }

  off<K extends keyof E>(type: K, listener: (...args: E[K]) => void): this {
    this._listeners[type] = this._listeners[type]?.filter((l) => l !== listener);
    return this;
  }

  /** @internal Calls the listeners of `type`, each guarded (see `guard`). */
  _emit<K extends keyof E>(type: K, ...args: E[K]): void {
    // A copy, so a listener may remove itself while we iterate.
    for (const l of this._listeners[type]?.slice() ?? []) guard(l, ...args);
  }
}
