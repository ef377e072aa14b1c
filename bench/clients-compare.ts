/**
 * `node dist/bench/clients-compare.js [--runs 3] [--broker URL] [--transport ws|uws] [--chromium]`:
 * amqp-client.js's AMQPWebSocketClient against Warren's client through one
 * gateway process, interleaved run by run so both see the same machine load;
 * prints each run and the medians (msgs/s, RTT p50/p99, and the CPU time per
 * message of what runs both clients: this process, or with `--chromium`, headless Chromium).
 */
import { randomBytes } from 'node:crypto';
import { signToken } from '../test/helpers/gateway.js';
import { startChromiumClients } from './chromium-clients.js';
import { inThisProcess, withClientCpu, type ClientName, type ClientRunner, type Endpoint } from './clients.js';
import { median } from './median.js';
import { startGatewayProcess } from './processes.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const runs = Number(arg('--runs', '3'));
const broker = arg('--broker', 'amqp://guest:guest@127.0.0.1:5673');
const transport = arg('--transport', 'ws') as 'ws' | 'uws';
const small = { count: Number(arg('--small', '50000')), size: 256, window: 5000 };
const large = { count: Number(arg('--large', '1000')), size: 64 * 1024, window: 64 };
const rttCount = Number(arg('--rtt', '1000'));
const only = arg('--only', '');
const chromium = argv.includes('--chromium') ? await startChromiumClients() : undefined;
if (argv.includes('--chromium') && chromium === undefined) throw new Error('--chromium: Chromium is not installed');
const runner: ClientRunner = chromium ?? inThisProcess;

const secret = randomBytes(32).toString('hex');
const gateway = await startGatewayProcess({ transport, broker, secret });
const endpoint: Endpoint = {
  kind: 'ws',
  url: `ws://127.0.0.1:${gateway.port}/amqp`,
  username: '',
  password: () => signToken(secret, { expiresIn: 3600 }),
};

type Figures = { small: number; large: number; p50: number; p99: number; cpuSmall: number; cpuLarge: number };
const clients: ClientName[] = only ? [only as ClientName] : ['amqp-client.js', 'warren client'];
const results = new Map<ClientName, Figures[]>(clients.map((c) => [c, []]));
const fmt = (f: Figures): string =>
  `${f.small.toFixed(0).padStart(7)} msg/s (256 B)  ${f.large.toFixed(0).padStart(6)} msg/s (64 KiB)  ` +
  `RTT p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99.toFixed(3)} ms  client CPU ${f.cpuSmall.toFixed(1)} / ${f.cpuLarge.toFixed(0)} µs/msg`;

try {
  for (let run = 1; run <= runs; run++) {
    // Alternate which client goes first, so neither always runs on a warmer broker.
    for (const client of run % 2 === 1 ? clients : [...clients].reverse()) {
      const [s, cpuSmall] = await withClientCpu(runner, small.count, () =>
        runner.throughput(client, endpoint, small.count, small.size, small.window),
      );
      const [l, cpuLarge] = await withClientCpu(runner, large.count, () =>
        runner.throughput(client, endpoint, large.count, large.size, large.window),
      );
      const r = await runner.roundTrip(client, endpoint, rttCount);
      const f = { small: s.msgsPerSec, large: l.msgsPerSec, p50: r.p50Ms, p99: r.p99Ms, cpuSmall, cpuLarge };
      results.get(client)!.push(f);
      console.log(`run ${run} ${client.padEnd(15)} ${fmt(f)}`);
    }
  }
} finally {
  await gateway.stop();
  await chromium?.close();
}

const medians = new Map<ClientName, Figures>();
for (const [client, fs] of results) {
  const m = {
    small: median(fs.map((f) => f.small)),
    large: median(fs.map((f) => f.large)),
    p50: median(fs.map((f) => f.p50)),
    p99: median(fs.map((f) => f.p99)),
    cpuSmall: median(fs.map((f) => f.cpuSmall)),
    cpuLarge: median(fs.map((f) => f.cpuLarge)),
  };
  medians.set(client, m);
  console.log(`median ${client.padEnd(15)} ${fmt(m)}`);
}
const a = medians.get('amqp-client.js');
const w = medians.get('warren client');
if (a && w) {
  console.log(
    `warren / amqp-client.js: ${(w.small / a.small).toFixed(2)}× (256 B), ${(w.large / a.large).toFixed(2)}× (64 KiB), ` +
      `RTT p50 ${(w.p50 / a.p50).toFixed(2)}×, p99 ${(w.p99 / a.p99).toFixed(2)}× (lower is better)`,
  );
}
