import assert from 'node:assert/strict';
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
