/**
 * `npm run bench [-- --quick] [-- --broker amqp://guest:guest@127.0.0.1:5673]`:
 * the same workloads through direct TCP, a bare WebSocket pipe, and Warren
 * with each backend, side by side. Prints a table, writes
 * bench/results/latest.json and the README's Performance section.
 *
 * The throughput and RTT rows run `--rounds N` times (5; 1 with --quick),
 * interleaved, and report their medians: on a 2-core machine that the broker,
 * the server under test and both clients share, one run of a row is not enough.
 *
 * For iterating on one part: `--only throughput` (the throughput and RTT rows)
 * or `--only sessions` (idle sessions), `--transport ws|uws` (Warren's rows for
 * one backend), `--sessions 1000,5000` (the idle-session counts). A partial run
 * prints its tables and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { signToken } from '../test/helpers/gateway.js';
import { loadWarrenClient, type ClientName, type Endpoint } from './clients.js';
import { startBarePipeProcess, startGatewayProcess, type ServerProcess } from './processes.js';
import { largestCount, printReport, writeReport, type BenchReport, type RoundResult, type Row } from './report.js';
import { selfSignedCert, tlsFrontOfBroker } from '../test/helpers/tls-files.js';
import { idleSessions, stalledReader, type SessionRun, type StalledReaderResult } from './sessions.js';
import { roundTrip, throughput } from './workloads.js';

const usage =
  'usage: npm run bench -- [--quick] [--broker URL] [--rounds N] [--only throughput|sessions] ' +
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
if (only !== undefined && only !== 'throughput' && only !== 'sessions') {
  throw new Error(`--only takes throughput or sessions, not ${only}`);
}
const transportArg = flags.transport;
if (transportArg !== undefined && transportArg !== 'ws' && transportArg !== 'uws') {
  throw new Error(`--transport takes ws or uws, not ${transportArg}`);
}
const transports = transportArg === undefined ? (['ws', 'uws'] as const) : ([transportArg] as const);
const partial = only !== undefined || transportArg !== undefined;
const brokerPort = Number(new URL(broker).port || 5672);
const scale = quick ? 0.1 : 1;
const small = { count: Math.round(100_000 * scale), size: 256, window: 5000 };
const large = { count: Math.round(2000 * scale), size: 64 * 1024, window: 64 };
const rttCount = quick ? 300 : 2000;
const rounds = Number(flags.rounds ?? (quick ? 1 : 5));
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds takes a whole number ≥ 1, not ${flags.rounds}`);
const sessionCounts = flags.sessions?.split(',').map(Number) ?? (quick ? [1000] : [1000, 5000]);

const secret = randomBytes(32).toString('hex');
const token = () => signToken(secret, { expiresIn: 24 * 3600 });
const clients: ClientName[] = ['amqp-client.js', ...((await loadWarrenClient()) ? (['warren client'] as const) : [])];

interface Target {
  readonly name: string;
  readonly kind: 'tcp' | 'ws';
  start(): Promise<{ endpoint: Endpoint; server?: ServerProcess }>;
}

const targets: Target[] = [
  {
    name: 'direct TCP',
    kind: 'tcp',
    start: () =>
      Promise.resolve({ endpoint: { kind: 'tcp', url: broker, username: 'guest', password: async () => 'guest' } }),
  },
  {
    name: 'bare WS pipe',
    kind: 'ws',
    start: async () => {
      const server = await startBarePipeProcess(brokerPort);
      return {
        server,
        endpoint: {
          kind: 'ws',
          url: `ws://127.0.0.1:${server.port}/`,
          username: 'guest',
          password: async () => 'guest',
        },
      };
    },
  },
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

// Every target is started once and the rows run in rounds, each round in a different order, so that
// no row always runs first or last; each row reports its medians, and ratios are taken round by round.
const running: { target: Target; endpoint: Endpoint; server?: ServerProcess }[] = [];
const rows: Row[] = [];
try {
  for (const target of only === 'sessions' ? [] : targets) {
    running.push({ target, ...(await target.start()) });
    // amqp-client.js is the only one of the two with a TCP client.
    for (const client of target.kind === 'tcp' ? (['amqp-client.js'] as const) : clients) {
      rows.push({ target: target.name, client, rounds: [] });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < running.length; i++) {
      const { target, endpoint, server } = running[(i + round) % running.length]!;
      for (const row of rows.filter((r) => r.target === target.name)) {
        try {
          row.rounds.push(await measureRound(round, row.client, endpoint, server));
        } catch (err) {
          // Some clients reject with events rather than Errors: take whatever message they carry.
          row.error ??= (err as { message?: unknown } | undefined)?.message?.toString() ?? String(err);
        }
        console.error(
          `round ${round + 1}/${rounds} ${target.name} / ${row.client}: done${row.error ? ` (${row.error})` : ''}`,
        );
      }
    }
  }
} finally {
  await Promise.all(running.map(({ server }) => server?.stop()));
}

/** One round of a row: both throughputs and the round trip, with the server's CPU per message in each throughput run. */
async function measureRound(
  round: number,
  client: ClientName,
  endpoint: Endpoint,
  server?: ServerProcess,
): Promise<RoundResult> {
  const [smallResult, smallCpu] = await withServerCpu(server, small.count, () =>
    throughput(client, endpoint, small.count, small.size, small.window),
  );
  const [largeResult, largeCpu] = await withServerCpu(server, large.count, () =>
    throughput(client, endpoint, large.count, large.size, large.window),
  );
  return {
    round,
    small: smallResult,
    large: largeResult,
    rtt: await roundTrip(client, endpoint, rttCount),
    ...(server === undefined ? {} : { serverCpuUsPerMsg: { small: smallCpu, large: largeCpu } }),
  };
}

/** Runs `work`, and measures the server's CPU time during it per message (NaN without a server). */
async function withServerCpu<T>(server: ServerProcess | undefined, messages: number, work: () => Promise<T>) {
  const before = server?.cpuMs() ?? NaN;
  const result = await work();
  const cpuUsPerMsg = server === undefined ? NaN : ((server.cpuMs() - before) * 1000) / messages;
  return [result, cpuUsPerMsg] as const;
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
for (const transport of only === 'throughput' ? [] : transports) {
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
  workloads: { small, large, rttCount, rounds },
  rows,
  sessions,
  stalled,
});
