/**
 * `npm run bench [-- --quick] [-- --broker amqp://guest:guest@127.0.0.1:5673]`:
 * the same workloads through direct TCP, a bare WebSocket pipe, and Warren
 * with each backend, side by side. Prints a table, writes
 * bench/results/latest.json and the README's Performance section.
 *
 * For iterating on one part: `--only throughput` (the throughput and RTT rows)
 * or `--only sessions` (idle sessions), `--transport ws|uws` (Warren's rows for
 * one backend), `--sessions 1000,5000` (the idle-session counts). A partial run
 * prints its tables and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { signToken } from '../test/helpers/gateway.js';
import { loadWarrenClient, type ClientName, type Endpoint } from './clients.js';
import { startBarePipeProcess, startGatewayProcess, type ServerProcess } from './processes.js';
import { printReport, writeReport, type BenchReport, type Row } from './report.js';
import { idleSessions, stalledReader } from './sessions.js';
import { roundTrip, throughput } from './workloads.js';

const argv = process.argv.slice(2);
/** The value after `--name`, if given. */
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
};
const quick = argv.includes('--quick');
const broker = option('--broker') ?? 'amqp://guest:guest@127.0.0.1:5672';
const only = option('--only');
if (only !== undefined && only !== 'throughput' && only !== 'sessions') {
  throw new Error(`--only takes throughput or sessions, not ${only}`);
}
const transportArg = option('--transport');
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
const sessionCounts = option('--sessions')?.split(',').map(Number) ?? (quick ? [1000] : [1000, 5000]);

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

const rows: Row[] = [];
for (const target of only === 'sessions' ? [] : targets) {
  const { endpoint, server } = await target.start();
  try {
    // amqp-client.js is the only one of the two with a TCP client.
    for (const client of target.kind === 'tcp' ? (['amqp-client.js'] as const) : clients) {
      const row: Row = { target: target.name, client };
      try {
        row.small = await throughput(client, endpoint, small.count, small.size, small.window);
        row.large = await throughput(client, endpoint, large.count, large.size, large.window);
        row.rtt = await roundTrip(client, endpoint, rttCount);
      } catch (err) {
        row.error = String(err);
      }
      rows.push(row);
      console.error(`${target.name} / ${client}: done${row.error ? ` (${row.error})` : ''}`);
    }
  } finally {
    await server?.stop();
  }
}

const sessions: BenchReport['sessions'] = [];
const stalled: BenchReport['stalled'] = [];
for (const transport of only === 'throughput' ? [] : transports) {
  const gw = await startGatewayProcess({ transport, broker, secret });
  try {
    const url = `ws://127.0.0.1:${gw.port}/amqp`;
    sessions.push({ transport, ...(await idleSessions(gw, url, await token(), sessionCounts)) });
    console.error(`sessions / ${transport}: done`);
    if (only === 'sessions') continue;
    stalled.push({ transport, ...(await stalledReader(gw, url, await token(), broker, quick ? 30 : 100)) });
    console.error(`stalled reader / ${transport}: done`);
  } finally {
    await gw.stop();
  }
}

(partial ? printReport : writeReport)({
  date: new Date().toISOString(),
  quick,
  broker: new URL(broker).host,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  workloads: { small, large, rttCount },
  rows,
  sessions,
  stalled,
});
