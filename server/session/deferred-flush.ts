/** Output that is batched while a socket read is handled and sent once it has been. */
export interface DeferredFlush {
  flushDeferred(): void;
}

let queued: DeferredFlush[] = [];

/**
 * Runs `target.flushDeferred()` once the current callback has returned, in a
 * microtask: every WebSocket message parsed from one socket read (a browser
 * that publishes in a loop sends dozens per read) then leaves in one write to
 * the broker instead of one write each. A microtask, not setImmediate, so a
 * lone message waits for nothing. One queue for all sessions, so a session
 * costs no closure for it.
 */
export function flushSoon(target: DeferredFlush): void {
  if (queued.push(target) === 1) queueMicrotask(flushQueued);
}

function flushQueued(): void {
  const batch = queued;
  queued = [];
  for (const target of batch) target.flushDeferred();
}
