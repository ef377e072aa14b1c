/**
 * `npm run bench [-- --quick] [-- --broker amqp://guest:guest@127.0.0.1:5673]`:
 * the same workloads through direct TCP, a bare WebSocket pipe, and Warren
 * with each backend, side by side. Prints a table, writes
 * bench/results/latest.json and the README's Performance section.
 *
 * The throughput and RTT rows run `--rounds N` times (9; 1 with --quick), after
 * a warm-up round, workload by workload within a round, and report their
 * medians: on a 2-core machine that the broker, the server under test and both
 * clients share, one run of a row is not enough. Nine rounds give each ratio an
 * interval that holds its median with 96% confidence (see medianInterval);
 * five gave only the lowest to the highest round, with 94%.
 *
 * Each path is measured with the clients in this process (over the `ws`
 * package) and again in headless Chromium, where pages run them (over the
 * browser's WebSocket), with fewer messages: amqp-client.js is slower there.
 * Without Chromium at /usr/bin/chromium the Chromium rows are left out.
 *
 * For iterating on one part: `--only throughput` (the throughput and RTT rows
 * with the clients in Node), `--only chromium` (the same in Chromium) or
 * `--only sessions` (idle sessions), `--transport ws|uws` (Warren's rows for
 * one backend), `--sessions 1000,5000` (the idle-session counts). A partial run
 * prints its tables and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { signToken } from '../test/helpers/gateway.js';
import { CHROMIUM, startChromiumClients } from './chromium-clients.js';
import {
  inThisProcess,
  loadWarrenClient,
  withClientCpu,
  type ClientName,
  type ClientRunner,
  type Endpoint,
} from './clients.js';
import { listeningProcess } from './listening-process.js';
import { cpuMsOf, startBarePipeProcess, startGatewayProcess, type ServerProcess } from './processes.js';
import {
  largestCount,
  DEFAULT_ROUNDS,
  DIRECT_WITH_HEADER,
  PIPE_WITH_HEADER,
  printReport,
  writeReport,
  type BenchReport,
  type RoundResult,
  type Row,
} from './report.js';
import { selfSignedCert, tlsFrontOfBroker } from '../test/helpers/tls-files.js';
import { idleSessions, stalledReader, type SessionRun, type StalledReaderResult } from './sessions.js';

const usage =
  'usage: npm run bench -- [--quick] [--broker URL] [--rounds N] [--only throughput|chromium|sessions] ' +
  '[--transport ws|uws] [--sessions 1000,5000]';
const flags = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean' },
        help: { type: 'boolean' },
        broker: { type: 'string' },
        rounds: { type: 'string' },
        only: { type: 'string' },
        transport: { type: 'string' },
        sessions: { type: 'string' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
})();
if (flags.help === true) {
  console.log(usage);
  process.exit(0);
}
const quick = flags.quick === true;
const broker = flags.broker ?? 'amqp://guest:guest@127.0.0.1:5672';
const only = flags.only;
if (only !== undefined && only !== 'throughput' && only !== 'chromium' && only !== 'sessions') {
  throw new Error(`--only takes throughput, chromium or sessions, not ${only}`);
}
const transportArg = flags.transport;
if (transportArg !== undefined && transportArg !== 'ws' && transportArg !== 'uws') {
  throw new Error(`--transport takes ws or uws, not ${transportArg}`);
}
const transports = transportArg === undefined ? (['ws', 'uws'] as const) : ([transportArg] as const);
const partial = only !== undefined || transportArg !== undefined;
const brokerPort = Number(new URL(broker).port || 5672);
/** The broker's process, when it runs here: its CPU per message goes in the table too. */
const brokerPid = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(broker).hostname)
  ? listeningProcess(brokerPort)
  : undefined;
const scale = quick ? 0.1 : 1;
// In Node the broker sets the pace, and a publisher 5,000 messages ahead kept its queue thousands deep: 12 runs
// back to back of Warren's client through the bare pipe spread over 1.49× (fastest ÷ slowest, twice), against
// 1.17–1.21× at 1,000 ahead, whose queue stays short. In Chromium the clients set the pace and gain from depth
// differently: at 1,000 ahead amqp-client.js moved 13% less than at 5,000, Warren's client 23% more (8 runs each).
const small = { count: Math.round(100_000 * scale), size: 256, window: 1000 };
const large = { count: Math.round(2000 * scale), size: 64 * 1024, window: 64 };
const rttCount = quick ? 300 : 2000;
/** The workloads of the rows whose clients run in Node, and in Chromium (where amqp-client.js moves fewer small messages). */
const inNode = { small, large, rttCount };
const inChromium: typeof inNode = {
  small: { ...small, count: Math.round(20_000 * scale), window: 5000 },
  large,
  rttCount: quick ? 300 : 1000,
};
const rounds = Number(flags.rounds ?? (quick ? 1 : DEFAULT_ROUNDS));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, not ${flags.rounds}`);
const sessionCounts = flags.sessions?.split(',').map(Number) ?? (quick ? [1000] : [1000, 5000]);

const secret = randomBytes(32).toString('hex');
/** The subject of the bench's tokens: what Warren stamps as `x-warren-user`. */
const TOKEN_SUBJECT = 'bench';
const token = () => signToken(secret, { sub: TOKEN_SUBJECT, expiresIn: 24 * 3600 });
const clients: ClientName[] = ['amqp-client.js', ...((await loadWarrenClient()) ? (['warren client'] as const) : [])];

interface Target {
  readonly name: string;
  readonly kind: 'tcp' | 'ws';
  start(): Promise<{ endpoint: Endpoint; server?: ServerProcess }>;
}

/** A bare WebSocket→TCP pipe in a process of its own; its clients publish with `headers`, if given. */
function pipeTarget(name: string, headers?: Record<string, string>): Target {
  return {
    name,
    kind: 'ws',
    start: async () => {
      const server = await startBarePipeProcess(brokerPort);
      const url = `ws://127.0.0.1:${server.port}/`;
      return {
        server,
        endpoint: { kind: 'ws', url, username: 'guest', password: async () => 'guest', ...(headers && { headers }) },
      };
    },
  };
}

/** The broker itself over TCP (the ceiling); its client publishes with `headers`, if given. */
function directTarget(name: string, headers?: Record<string, string>): Target {
  return {
    name,
    kind: 'tcp',
    start: () =>
      Promise.resolve({
        endpoint: {
          kind: 'tcp',
          url: broker,
          username: 'guest',
          password: async () => 'guest',
          ...(headers && { headers }),
        },
      }),
  };
}

/** The header Warren's gateway stamps on every publish of the bench's sessions, as a client would set it itself. */
const STAMP = { 'x-warren-user': TOKEN_SUBJECT };

const targets: Target[] = [
  directTarget('direct TCP'),
  // What the header costs the broker and the client where nothing else handles it.
  directTarget(DIRECT_WITH_HEADER, STAMP),
  pipeTarget('bare WS pipe'),
  // The pipe again, its client setting the header that Warren's gateway stamps on every publish, with the
  // same name and value: the broker and the consumer get the same bytes as through Warren, so the ratio to
  // this row is the gateway's own cost.
  pipeTarget(PIPE_WITH_HEADER, STAMP),
  ...transports.map((transport): Target => ({
    name: `Warren ${transport}`,
    kind: 'ws',
    start: async () => {
      const server = await startGatewayProcess({ transport, broker, secret });
      return {
        server,
        endpoint: { kind: 'ws', url: `ws://127.0.0.1:${server.port}/amqp`, username: '', password: token },
      };
    },
  })),
];

/** A row, with where its runs go and where its clients run. */
interface RunningRow extends Row {
  readonly endpoint: Endpoint;
  readonly server?: ServerProcess | undefined;
  readonly runner: ClientRunner;
  readonly workloads: typeof inNode;
}

/** What one round of a row has measured so far. */
interface RoundParts {
  small?: RoundResult['small'];
  large?: RoundResult['large'];
  rtt?: RoundResult['rtt'];
  serverCpuUsPerMsg: { small: number; large: number };
  brokerCpuUsPerMsg: { small: number; large: number };
  /** Why the round failed for the row, if it did: it stops there. */
  error?: string;
}

/** Each workload of a round, for one row: its result goes into the round's parts. */
const measure: Record<'small' | 'large' | 'rtt', (row: RunningRow, part: RoundParts) => Promise<void>> = {
  small: async (row, part) => {
    [part.small, part.serverCpuUsPerMsg.small, part.brokerCpuUsPerMsg.small] = await measuredThroughput(
      row,
      row.workloads.small,
    );
  },
  large: async (row, part) => {
    [part.large, part.serverCpuUsPerMsg.large, part.brokerCpuUsPerMsg.large] = await measuredThroughput(
      row,
      row.workloads.large,
    );
  },
  rtt: async (row, part) => {
    part.rtt = await row.runner.roundTrip(row.client, row.endpoint, row.workloads.rttCount);
  },
};

// Every target is started once and the rows run in rounds, each round in a different order, so that
// no row always runs first or last. Within a round each workload runs for every row before the next
// workload starts, so the runs whose ratio is taken ran seconds apart, not the length of a round;
// each row reports its medians, and ratios are taken round by round.
const servers: ServerProcess[] = [];
const rows: RunningRow[] = [];
const chromium = only === undefined || only === 'chromium' ? await startChromiumClients() : undefined;
if (chromium === undefined && (only === undefined || only === 'chromium')) {
  console.error(`no Chromium at ${CHROMIUM}: the rows with the clients in Chromium are left out`);
}
try {
  for (const target of only === 'sessions' ? [] : targets) {
    const { endpoint, server } = await target.start();
    if (server !== undefined) servers.push(server);
    // amqp-client.js is the only one of the two with a TCP client.
    for (const client of target.kind === 'tcp' ? (['amqp-client.js'] as const) : clients) {
      // Each row its own rounds.
      const row = (runner: ClientRunner, workloads: typeof inNode) => ({
        target: target.name,
        client,
        rounds: [],
        endpoint,
        server,
        runner,
        workloads,
      });
      if (only !== 'chromium') rows.push(row(inThisProcess, inNode));
      if (chromium !== undefined && target.kind === 'ws')
        rows.push({ ...row(chromium, inChromium), runtime: 'chromium' });
    }
  }
  // A first round, not counted, warms every path (JIT, the broker's memory): without it, the first
  // round's 64 KiB runs came out at half to two thirds of the later rounds' rates, on every row.
  if (!quick) {
    const failed = [...(await runRound(0))].filter(([, part]) => part.error !== undefined);
    const failures = failed.map(([row, part]) => `${row.target} / ${row.client}: ${part.error}`);
    console.error(`warm-up round: done${failures.length > 0 ? ` (failed: ${failures.join('; ')})` : ''}`);
  }
  for (let round = 0; round < rounds; round++) {
    const failed: string[] = [];
    for (const [row, { small, large, rtt, serverCpuUsPerMsg, brokerCpuUsPerMsg, error }] of await runRound(round)) {
      if (error !== undefined) row.error ??= error;
      if (small === undefined || large === undefined || rtt === undefined) failed.push(`${row.target} / ${row.client}`);
      else
        row.rounds.push({
          round,
          small,
          large,
          rtt,
          ...(row.server === undefined ? {} : { serverCpuUsPerMsg }),
          ...(brokerPid === undefined ? {} : { brokerCpuUsPerMsg }),
        });
    }
    console.error(`round ${round + 1}/${rounds}: done${failed.length > 0 ? ` (failed: ${failed.join(', ')})` : ''}`);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await chromium?.close();
}

/** Runs each workload for every row, the rows starting `round` places along; a row that fails stops there. */
async function runRound(round: number): Promise<Map<RunningRow, RoundParts>> {
  const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
  const parts = new Map<RunningRow, RoundParts>(
    order.map((row) => [
      row,
      { serverCpuUsPerMsg: { small: NaN, large: NaN }, brokerCpuUsPerMsg: { small: NaN, large: NaN } },
    ]),
  );
  for (const workload of ['small', 'large', 'rtt'] as const) {
    for (const row of order) {
      const part = parts.get(row)!;
      if (part.error !== undefined) continue;
      try {
        await measure[workload](row, part);
      } catch (err) {
        // Some clients reject with events rather than Errors: take whatever message they carry.
        part.error = (err as { message?: unknown } | undefined)?.message?.toString() ?? String(err);
      }
    }
  }
  return parts;
}

/** The broker's CPU time so far; NaN when its process is not known, or gone (a restarted broker). */
function brokerCpuMs(): number {
  try {
    return brokerPid === undefined ? NaN : cpuMsOf(brokerPid);
  } catch {
    return NaN;
  }
}

/**
 * Runs a throughput workload of `row`, and measures the CPU time per message
 * of its clients, its server and the broker during it (NaN for one not known).
 */
async function measuredThroughput(row: RunningRow, { count, size, window }: typeof small) {
  const perMessage = (ms: number) => (ms * 1000) / count;
  const { server, runner } = row;
  const serverBefore = server?.cpuMs() ?? NaN;
  const brokerBefore = brokerCpuMs();
  const [result, clientCpuUsPerMsg] = await withClientCpu(runner, count, () =>
    runner.throughput(row.client, row.endpoint, count, size, window),
  );
  const serverUs = server === undefined ? NaN : perMessage(server.cpuMs() - serverBefore);
  const brokerUs = perMessage(brokerCpuMs() - brokerBefore);
  return [{ ...result, clientCpuUsPerMsg }, serverUs, brokerUs] as const;
}

const stalledMb = quick ? 30 : 100;

/**
 * The stalled reader through a fresh gateway whose broker link is TLS: a TLS
 * front (in this process) before the broker, with a certificate made for the run.
 */
async function stalledReaderOverTls(transport: 'ws' | 'uws'): Promise<StalledReaderResult> {
  const cert = await selfSignedCert();
  const front = await tlsFrontOfBroker(cert, brokerPort);
  const plain = new URL(broker);
  const amqps = `amqps://${plain.username}:${plain.password}@localhost:${front.port}${plain.pathname}`;
  const gw = await startGatewayProcess({ transport, broker: amqps, secret, extra: ['--broker-ca', cert.certFile] });
  try {
    return await stalledReader(gw, `ws://127.0.0.1:${gw.port}/amqp`, await token(), broker, stalledMb);
  } finally {
    await gw.stop();
    front.server.close();
    await cert.remove();
  }
}

// Idle memory is read from RSS, which moves with when V8 last collected: each backend's sessions are
// measured in `sessionRounds` fresh gateways and the median run reported. The stalled reader runs on the last.
const sessionRounds = quick ? 1 : Math.min(rounds, 3);
const sessions: BenchReport['sessions'] = [];
const stalled: BenchReport['stalled'] = [];
for (const transport of only === 'throughput' || only === 'chromium' ? [] : transports) {
  const runs: SessionRun[] = [];
  for (let i = 0; i < sessionRounds; i++) {
    const gw = await startGatewayProcess({ transport, broker, secret });
    try {
      const url = `ws://127.0.0.1:${gw.port}/amqp`;
      runs.push(await idleSessions(gw, url, await token(), sessionCounts));
      console.error(`sessions / ${transport} ${i + 1}/${sessionRounds}: done`);
      if (only === 'sessions' || i < sessionRounds - 1) continue;
      stalled.push({ transport, link: 'amqp', ...(await stalledReader(gw, url, await token(), broker, stalledMb)) });
      console.error(`stalled reader / ${transport}: done`);
    } finally {
      await gw.stop();
    }
  }
  if (only !== 'sessions') {
    stalled.push({ transport, link: 'amqps', ...(await stalledReaderOverTls(transport)) });
    console.error(`stalled reader / ${transport} / amqps: done`);
  }
  const perSession = (run: SessionRun) => largestCount(run)?.bytesPerSession ?? Infinity;
  const byMemory = [...runs].sort((a, b) => perSession(a) - perSession(b));
  sessions.push({
    transport,
    ...byMemory[byMemory.length >> 1]!,
    bytesPerSessionRuns: runs.map(perSession),
  });
}

await (partial ? printReport : writeReport)({
  date: new Date().toISOString(),
  quick,
  broker: new URL(broker).host,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  workloads: { small, large, rttCount, rounds, inChromium },
  rows: rows.map(({ endpoint: _endpoint, server: _server, runner: _runner, workloads: _workloads, ...row }) => row),
  sessions,
  stalled,
});
