import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goals, type BenchReport, type RoundResult, type Row } from '../../bench/report.js';
import type { ClientName } from '../../bench/clients.js';

// The bench's verdicts on the issues' goals, from made-up rounds: which line judges what.

/** Rounds whose small and large runs moved `rates[i]` msgs/s in round i. */
const roundsAt = (rates: readonly number[]): RoundResult[] =>
  rates.map((rate, i) => ({
    round: i,
    small: { msgsPerSec: rate, mbPerSec: 0, clientCpuUsPerMsg: 0 },
    large: { msgsPerSec: rate, mbPerSec: 0, clientCpuUsPerMsg: 0 },
    rtt: { p50Ms: 0.2, p99Ms: 0.4 },
  }));

/** A row of three rounds, each of which moved `small` and `large` msgs/s. */
function row(target: string, client: ClientName, small: number, large: number, runtime?: 'chromium'): Row {
  const rounds = roundsAt([small, small, small]).map((r) => ({ ...r, large: { ...r.large, msgsPerSec: large } }));
  return { target, client, rounds, ...(runtime && { runtime }) };
}

function report(rows: Row[]): BenchReport {
  const counts = { small: { count: 100 }, large: { count: 10 } };
  return {
    date: '2026-12-06T00:00:00Z',
    quick: false,
    broker: '127.0.0.1:5673',
    machine: { cpus: 2, cpu: 'test', node: 'v20' },
    workloads: { ...counts, rttCount: 10, rounds: 3 },
    rows,
    sessions: [],
    stalled: [],
  };
}

/** Warren ws rows where Warren's client moves `ratio` times what amqp-client.js does, in `runtime`. */
const clientPair = (ratio: number, runtime?: 'chromium') => [
  row('Warren ws', 'amqp-client.js', 1000, 100, runtime),
  row('Warren ws', 'warren client', 1000 * ratio, 100 * ratio, runtime),
];

test('with Chromium rows, the client goal is judged on them, and the Node line says so', () => {
  const lines = goals(report([...clientPair(1.1), ...clientPair(1.5, 'chromium')]));
  assert.deepEqual(
    lines.filter((l) => l.includes("Warren's client")).map((l) => /\(goal ≥ 1\.2: ([^)]*)\)/.exec(l)?.[1]),
    ['judged in Chromium, below', 'met'],
  );
  assert.match(lines[1]!, /^Warren ws \(in Chromium\): Warren's client 1\.50×/);
});

test('without Chromium rows, the Node rows judge the client goal', () => {
  const lines = goals(report(clientPair(1.1)));
  assert.match(lines[0]!, /^Warren ws: Warren's client 1\.10× .*\(goal ≥ 1\.2: missed\)$/);
});

test('the gateway goal compares each row with the bare pipe whose client ran in the same place', () => {
  const lines = goals(
    report([
      row('bare WS pipe', 'warren client', 1000, 100),
      row('bare WS pipe', 'warren client', 2000, 200, 'chromium'),
      row('Warren ws', 'warren client', 900, 100),
      row('Warren ws', 'warren client', 2000, 200, 'chromium'),
    ]),
  ).filter((l) => l.includes('of the bare pipe'));
  assert.match(lines[0]!, /^Warren ws \/ warren client: throughput 0\.90× .*\(goal ≥ 0\.95: missed\)/);
  assert.match(lines[1]!, /^Warren ws \(in Chromium\) \/ warren client: throughput 1\.00× .*\(goal ≥ 0\.95: met\)/);
});

test('each ratio shows the interval that holds its median: over 9 rounds, the 2nd to the 8th lowest', () => {
  // Warren's rate over the pipe's is 0.90, 0.91, … 0.98 in rounds 0…8, given out of order.
  const ratios = [0.94, 0.9, 0.98, 0.91, 0.97, 0.92, 0.96, 0.93, 0.95];
  const pipe: Row = { target: 'bare WS pipe', client: 'warren client', rounds: roundsAt(ratios.map(() => 1000)) };
  const warren: Row = { target: 'Warren ws', client: 'warren client', rounds: roundsAt(ratios.map((r) => 1000 * r)) };
  const [line] = goals(report([pipe, warren]));
  assert.match(line!, /throughput 0\.94× \(256 B; 96% CI 0\.91–0\.97\) and 0\.94× \(64 KiB; 96% CI 0\.91–0\.97\)/);
  assert.match(line!, /\(goal ≥ 0\.95: missed\)/);
});

test("the gateway's own cost is judged against the pipe that carries the same header, apart from the goal", () => {
  const lines = goals(
    report([
      row('direct TCP', 'amqp-client.js', 2000, 200),
      row('direct TCP + header', 'amqp-client.js', 1800, 200),
      row('bare WS pipe', 'warren client', 1000, 100),
      row('bare WS pipe + header', 'warren client', 900, 100),
      row('Warren ws', 'warren client', 890, 100),
      row('Warren uws', 'warren client', 800, 100),
    ]),
  );
  assert.match(lines[0]!, /^Warren ws \/ warren client: throughput 0\.89× .*\(goal ≥ 0\.95: missed\)/);
  assert.match(
    lines[0]!,
    /0\.99× .* of the pipe whose messages carry the same header, the gateway's own cost \(≥ 0\.95: met\)/,
  );
  assert.match(lines[1]!, /0\.89× .* the gateway's own cost \(≥ 0\.95: missed\)/);
  assert.match(lines[2]!, /^direct TCP \+ header \/ amqp-client\.js: throughput 0\.90× .* and 1\.00× .* of direct TCP/);
});

test('a ratio of one round (--quick) claims no interval', () => {
  const one = (target: string, rate: number): Row => ({ target, client: 'warren client', rounds: roundsAt([rate]) });
  const [line] = goals(report([one('bare WS pipe', 1000), one('Warren ws', 960)]));
  assert.match(line!, /throughput 0\.96× \(256 B; one round\) and 0\.96× \(64 KiB; one round\)/);
});
