import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startChromiumClients, type ChromiumClients } from '../../bench/chromium-clients.js';
import type { ClientName, Endpoint } from '../../bench/clients.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The bench's clients in Chromium (the second table of `npm run bench`): each client runs the bench's
// workloads in the page, through a real gateway and broker, and a workload that fails comes back as
// its error instead of hanging the run.

let gw: TestGateway;
let chromium: ChromiumClients;

before(async () => {
  gw = await startTestGateway();
  const started = await startChromiumClients();
  assert.ok(started !== undefined, 'Chromium is installed (scripts/ensure-chromium.sh installs it)');
  chromium = started;
});

after(async () => {
  await chromium?.close();
  await gw?.stop();
});

const endpoint = (password = () => gw.token()): Endpoint => ({ kind: 'ws', url: gw.url, username: '', password });

for (const client of ['warren client', 'amqp-client.js'] satisfies ClientName[]) {
  test(`in Chromium, ${client} runs the throughput and round-trip workloads through the gateway`, async () => {
    const cpuBefore = chromium.cpuMs();
    // It resolves only once the consumer has had all 300 (and the publisher kept within 50 of it).
    const run = await chromium.throughput(client, endpoint(), 300, 256, 50);
    assert.ok(Number.isFinite(run.msgsPerSec) && run.msgsPerSec > 0, `msgs/s: ${run.msgsPerSec}`);
    assert.ok(Math.abs(run.mbPerSec - (run.msgsPerSec * 256) / 1e6) < 1e-9);
    const rtt = await chromium.roundTrip(client, endpoint(), 20);
    assert.ok(rtt.p50Ms > 0 && rtt.p99Ms >= rtt.p50Ms, `p50 ${rtt.p50Ms}, p99 ${rtt.p99Ms}`);
    assert.ok(chromium.cpuMs() > cpuBefore, "Chromium's processes are found and their CPU time read");
  });
}

test('a workload that fails in the page rejects with its error, and the page takes the next one', async () => {
  const refused = endpoint(async () => 'not a token');
  // The gateway's reason, as the client in the page reported it.
  await assert.rejects(chromium.throughput('warren client', refused, 10, 256, 10), /ACCESS_REFUSED - token is not/);
  const run = await chromium.throughput('warren client', endpoint(), 10, 256, 10);
  assert.ok(run.msgsPerSec > 0);
});

test('when Chromium dies, the workload it ran and those after it reject at once', async () => {
  const other = await startChromiumClients();
  assert.ok(other !== undefined);
  try {
    // Long enough to be running still when Chromium is killed.
    const running = other.throughput('warren client', endpoint(), 1_000_000, 256, 100);
    setTimeout(() => process.kill(other.pid, 'SIGKILL'), 500);
    await assert.rejects(running, /Chromium exited \(SIGKILL\)/);
    await assert.rejects(other.throughput('warren client', endpoint(), 10, 256, 10), /Chromium exited/);
  } finally {
    await other.close();
  }
});

test('Chromium does not outlive a bench killed by a signal', async () => {
  // A bench process that starts Chromium, says its pid, and waits to be killed.
  const script = `
    const { startChromiumClients } = await import(${JSON.stringify(new URL('../../bench/chromium-clients.js', import.meta.url).href)});
    const chromium = await startChromiumClients();
    console.log(chromium.pid);
    setInterval(() => {}, 1000);
  `;
  const bench = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(bench.stdout, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  assert.ok(existsSync(`/proc/${pid}`), 'Chromium runs');
  bench.kill('SIGTERM');
  const deadline = Date.now() + 5000;
  while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!existsSync(`/proc/${pid}`), 'Chromium was killed with the bench');
});
