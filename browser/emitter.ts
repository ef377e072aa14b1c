/** Event names to listener argument lists. */
export type EventMap = Record<string, unknown[]>;

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

  /** @internal Calls the listeners of `type`; false when there are none. */
  _emit<K extends keyof E>(type: K, ...args: E[K]): boolean {
    // A copy, so a listener may remove itself while we iterate.
    const listeners = this._listeners[type]?.slice() ?? [];
    for (const l of listeners) l(...args);
    return listeners.length > 0;
  }
}
