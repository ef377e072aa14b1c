import type { Connection } from './connection.js';
import { WarrenError } from './errors.js';
import { CLOSING, OPEN } from './state.js';

// The calls and publishes of a connection that wait for it to be writable, in
// order: while it is down, and (publishes) while it is blocked or its socket
// holds more than `highWaterMark`. Bounded in time by `waitTimeout` and in size
// by `maxWaitingBytes`. The queue lives on the connection (`_jobs`), and these
// functions take the connection, which minifies smaller than a class of its own.

/** A call or publish waiting for the connection. */
export interface Job {
  _run(): void;
  _fail(error: unknown): void;
  _publish: boolean;
  _deadline: number;
  /** What it counts against `maxWaitingBytes`. */
  _bytes: number;
}

/** What every waiting job, and every message a consumer's loop has not taken, counts against `maxWaitingBytes` besides its body. */
export const JOB_BYTES = 64;

/** True when a publish may go out now, ahead of nothing. */
export function writable(connection: Connection): boolean {
  return (
    connection._jobs.length === 0 &&
    connection._state === OPEN &&
    !connection._blocked &&
    connection._socket!._buffered <= connection._options.highWaterMark
  );
}

/**
 * Runs `job` now if the connection can take it, else queues it in order
 * until it can or until `waitTimeout`, when `fail` gets `ERR_TIMEOUT`.
 * `body`: a publish's length, counted with the job against `maxWaitingBytes`.
 */
export function enqueue(
  connection: Connection,
  job: () => void,
  fail: (error: unknown) => void,
  publish: boolean,
  body = 0,
): void {
  if (connection._state >= CLOSING) {
    return fail(connection._closeReason ?? new WarrenError('ERR_CLOSED', 'connection closed'));
  }
  const bytes = body + JOB_BYTES;
  // Nothing waits (and a job of any size may) exactly when nothing is counted: every job counts.
  if (connection._waitingBytes && connection._waitingBytes + bytes > connection._options.maxWaitingBytes) {
    return fail(new WarrenError('ERR_WAIT_FULL', 'maxWaitingBytes'));
  }
  connection._waitingBytes += bytes;
  connection._jobs.push({
    _run: job,
    _fail: fail,
    _publish: publish,
    _deadline: Date.now() + connection._options.waitTimeout,
    _bytes: bytes,
  });
  pump(connection);
}

/**
 * Runs the queued jobs that can run, and fails those that cannot and waited
 * past their deadline; re-arms a timer for timeouts and buffer drain. A job
 * that can run runs, however late the check comes: a background tab may run
 * this timer a minute late, when the wait is long over.
 */
export function pump(connection: Connection): void {
  const timers = connection._timers;
  clearTimeout(timers[0]);
  const jobs = connection._jobs;
  let full = false;
  while (jobs.length > 0) {
    const job = jobs[0]!;
    const open = connection._state === OPEN;
    // No event says when bufferedAmount drops, so a full socket is polled.
    full = open && job._publish && connection._socket!._buffered > connection._options.highWaterMark;
    const waits = !open || (job._publish && (connection._blocked || full));
    if (waits && job._deadline > Date.now()) break;
    jobs.shift();
    connection._waitingBytes -= job._bytes;
    if (waits) {
      job._fail(new WarrenError('ERR_TIMEOUT', 'wait timeout'));
      continue;
    }
    try {
      job._run();
    } catch (err) {
      job._fail(err);
    }
  }
  if (jobs.length > 0) timers[0] = setTimeout(() => pump(connection), full ? 1 : jobs[0]!._deadline - Date.now());
}
