import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stopEvery, tickEvery, type Periodic } from '../../server/shared-interval.js';

// The module keeps its groups in module state: each test uses periods of its own.

const MODULE_URL = new URL('../../server/shared-interval.js', import.meta.url).href;

/** A member that records the `now` of each tick and can run something when ticked. */
class Recorder implements Periodic {
  readonly ticks: number[] = [];
  onTick: ((now: number) => void) | undefined;

  tick(now: number): void {
    this.ticks.push(now);
    this.onTick?.(now);
  }
}

/** Waits (on a ref'd timer, so the process stays up) until `done` holds; fails after `timeoutMs`. */
async function waitFor(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface TimerSpy {
  /** Intervals started with the periods watched. */
  readonly started: NodeJS.Timeout[];
  /** Intervals cleared, of those started. */
  readonly cleared: NodeJS.Timeout[];
  restore(): void;
}

/** Records the intervals started with one of `periods` (and their clearing) while the test runs. */
function spyIntervals(...periods: number[]): TimerSpy {
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  const started: NodeJS.Timeout[] = [];
  const cleared: NodeJS.Timeout[] = [];
  const spySet = (callback: () => void, ms?: number): NodeJS.Timeout => {
    const timer = realSet(callback, ms);
    if (ms !== undefined && periods.includes(ms)) started.push(timer);
    return timer;
  };
  const spyClear = (timer: NodeJS.Timeout | string | number | undefined): void => {
    if (typeof timer === 'object' && started.includes(timer)) cleared.push(timer);
    realClear(timer);
  };
  globalThis.setInterval = spySet as typeof globalThis.setInterval;
  globalThis.clearInterval = spyClear as typeof globalThis.clearInterval;
  return {
    started,
    cleared,
    restore() {
      globalThis.setInterval = realSet;
      globalThis.clearInterval = realClear;
    },
  };
}

test('a member is ticked repeatedly with the current time', async () => {
  const period = 11;
  const member = new Recorder();
  const before = Date.now();
  tickEvery(period, member);
  try {
    await waitFor(() => member.ticks.length >= 3, 'three ticks');
  } finally {
    stopEvery(period, member);
  }
  const after = Date.now();
  for (const [i, now] of member.ticks.entries()) {
    assert.ok(now >= before && now <= after, `tick ${i} at ${now}, outside [${before}, ${after}]`);
    if (i > 0) assert.ok(now >= member.ticks[i - 1]!, 'ticks go forward in time');
  }
});

test('members of one period share one unref’d timer and are ticked together', async () => {
  const period = 13;
  const spy = spyIntervals(period, 14);
  const members = [new Recorder(), new Recorder(), new Recorder()];
  const other = new Recorder();
  try {
    for (const member of members) tickEvery(period, member);
    tickEvery(14, other);
    assert.equal(spy.started.length, 2, 'one interval per period, not per member');
    for (const timer of spy.started) assert.equal(timer.hasRef(), false, 'the interval must not hold the process open');
    await waitFor(() => members.every((m) => m.ticks.length >= 3) && other.ticks.length >= 1, 'ticks');
  } finally {
    for (const member of members) stopEvery(period, member);
    stopEvery(14, other);
    spy.restore();
  }
  // One timer: every member sees the same instants (each tick reads the clock once for all).
  const shortest = Math.min(...members.map((m) => m.ticks.length));
  const reference = members[0]!.ticks.slice(0, shortest);
  for (const member of members) assert.deepEqual(member.ticks.slice(0, shortest), reference);
  assert.equal(spy.started.length, 2, 'no interval started later');
  assert.deepEqual(new Set(spy.cleared), new Set(spy.started), 'both intervals stopped once their members left');
});

test('the same member added twice is ticked once per tick and leaves with one stopEvery', async () => {
  const period = 15;
  const spy = spyIntervals(period);
  const twice = new Recorder();
  const witness = new Recorder();
  try {
    tickEvery(period, twice);
    tickEvery(period, twice);
    tickEvery(period, witness);
    await waitFor(() => witness.ticks.length >= 3, 'three ticks');
    assert.deepEqual(twice.ticks.slice(0, 3), witness.ticks.slice(0, 3), 'ticked once per tick, like its peer');
    stopEvery(period, twice);
    const count = twice.ticks.length;
    const witnessCount = witness.ticks.length;
    await waitFor(() => witness.ticks.length >= witnessCount + 2, 'two more ticks');
    assert.equal(twice.ticks.length, count, 'one stopEvery removed it');
    assert.equal(spy.cleared.length, 0, 'the group still has a member');
  } finally {
    stopEvery(period, twice);
    stopEvery(period, witness);
    spy.restore();
  }
});

test('a member that leaves while it is ticked is not ticked again; the others go on', async () => {
  const period = 17;
  const leaving = new Recorder();
  const staying = new Recorder();
  leaving.onTick = () => stopEvery(period, leaving);
  try {
    tickEvery(period, leaving);
    tickEvery(period, staying);
    await waitFor(() => staying.ticks.length >= 4, 'four ticks');
  } finally {
    stopEvery(period, leaving);
    stopEvery(period, staying);
  }
  assert.equal(leaving.ticks.length, 1);
  // The member after it in the same tick was still ticked at that instant.
  assert.equal(staying.ticks[0], leaving.ticks[0]);
});

test('a member removed by another during a tick is not ticked after its removal', async () => {
  const period = 19;
  const first = new Recorder();
  const second = new Recorder();
  const third = new Recorder();
  first.onTick = () => stopEvery(period, second);
  try {
    tickEvery(period, first);
    tickEvery(period, second);
    tickEvery(period, third);
    await waitFor(() => third.ticks.length >= 3, 'three ticks');
  } finally {
    for (const member of [first, second, third]) stopEvery(period, member);
  }
  assert.equal(second.ticks.length, 0);
  assert.equal(third.ticks[0], first.ticks[0], 'the rest of the tick still ran');
});

test('the last member leaving during its tick stops the timer', async () => {
  const period = 21;
  const spy = spyIntervals(period);
  const member = new Recorder();
  member.onTick = () => stopEvery(period, member);
  try {
    tickEvery(period, member);
    await waitFor(() => member.ticks.length >= 1, 'a tick');
    assert.equal(spy.started.length, 1);
    assert.deepEqual(spy.cleared, spy.started, 'the interval was cleared');
    await sleep(period * 5);
    assert.equal(member.ticks.length, 1, 'no tick after the group emptied');
  } finally {
    stopEvery(period, member);
    spy.restore();
  }
});

test('an emptied group goes away and the next member starts a new timer', async () => {
  const period = 23;
  const spy = spyIntervals(period);
  const first = new Recorder();
  const second = new Recorder();
  try {
    tickEvery(period, first);
    stopEvery(period, first);
    assert.equal(spy.started.length, 1);
    assert.deepEqual(spy.cleared, spy.started, 'cleared when its only member left');

    tickEvery(period, second);
    assert.equal(spy.started.length, 2, 'a new interval for the new member');
    assert.equal(spy.started[1]!.hasRef(), false);
    await waitFor(() => second.ticks.length >= 2, 'two ticks');
    assert.equal(first.ticks.length, 0, 'the member that left is not ticked');

    // Leaving again, for a member no longer in the group, is a no-op: it must not stop the new timer.
    stopEvery(period, first);
    assert.equal(spy.cleared.length, 1);
    const count = second.ticks.length;
    await waitFor(() => second.ticks.length >= count + 2, 'ticks after a stray stopEvery');

    stopEvery(period, second);
    assert.equal(spy.cleared.length, 2);
  } finally {
    stopEvery(period, first);
    stopEvery(period, second);
    spy.restore();
  }
});

test('stopEvery for a period without members or a non-member changes nothing', async () => {
  const period = 25;
  const spy = spyIntervals(period);
  const member = new Recorder();
  try {
    stopEvery(27, member);
    tickEvery(period, member);
    stopEvery(period, new Recorder());
    stopEvery(27, member);
    assert.equal(spy.cleared.length, 0);
    await waitFor(() => member.ticks.length >= 2, 'two ticks');
  } finally {
    stopEvery(period, member);
    spy.restore();
  }
  assert.equal(spy.cleared.length, 1);
});

test('a process with only a shared interval running exits on its own', async () => {
  const script = [
    `import { tickEvery } from ${JSON.stringify(MODULE_URL)};`,
    `tickEvery(30, { tick() { process.stdout.write('tick\\n'); } });`,
    `process.stdout.write('started\\n');`,
  ].join('\n');
  const { code, stdout } = await new Promise<{ code: number | string | null | undefined; stdout: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 10_000, killSignal: 'SIGKILL' },
        (error, out) => resolve({ code: error === null ? 0 : (error.code ?? error.signal), stdout: out }),
      );
    },
  );
  assert.equal(code, 0, 'the child exited by itself, not killed at the timeout');
  assert.equal(stdout.split('\n')[0], 'started');
});

test('a member that throws costs the others nothing, and its error still surfaces as uncaught', async () => {
  const script = [
    `import { stopEvery, tickEvery } from ${JSON.stringify(MODULE_URL)};`,
    `let others = 0;`,
    `const errors = [];`,
    `process.on('uncaughtException', (err) => errors.push(err.message));`,
    `const failing = { tick() { throw new Error('member failed'); } };`,
    `const healthy = { tick() { others++; } };`,
    `tickEvery(20, failing);`,
    `tickEvery(20, healthy);`,
    `const keepAlive = setInterval(() => {`,
    `  if (others < 3) return;`,
    `  stopEvery(20, failing); stopEvery(20, healthy); clearInterval(keepAlive);`,
    `  process.stdout.write(JSON.stringify({ others, errors: errors.length, first: errors[0] }));`,
    `}, 5);`,
  ].join('\n');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (error, out) =>
      error === null ? resolve(out) : reject(error),
    );
  });
  const result = JSON.parse(stdout) as { others: number; errors: number; first: string };
  assert.ok(result.others >= 3, 'the healthy member kept being ticked');
  assert.ok(result.errors >= 3, 'every failed tick was reported as uncaught');
  assert.equal(result.first, 'member failed');
});
