import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { FrameWriter } from '../../shared/index.js';
import { countGatewayConnections, eventually } from '../helpers/broker.js';
import { startTestGateway } from '../helpers/gateway.js';
import { metricValue } from '../helpers/http.js';
import { handshake, openChannelWithQueue, RawClient } from '../helpers/raw-client.js';
import { fuzzCase } from './fuzz-cases.js';
import { ALLOWED_CLOSE_CODES, FuzzSessions } from './fuzz-runner.js';

const LONG = process.env['WARREN_TEST_LONG'] === '1';
const CASES = Number(process.env['WARREN_FUZZ_CASES'] ?? (LONG ? 100_000 : 300));
const WORKERS = Number(process.env['WARREN_FUZZ_WORKERS'] ?? (CASES > 1000 ? 32 : 4));

/** A session that must keep working while the fuzzer runs next to it. */
async function healthySession(url: string, jwt: string): Promise<{ client: RawClient; queue: string }> {
  const client = await RawClient.connect(url);
  await handshake(client, jwt);
  const queue = `warren-fuzz-healthy-${randomBytes(4).toString('hex')}`;
  await openChannelWithQueue(client, queue);
  return { client, queue };
}

async function stillWorks(client: RawClient, queue: string): Promise<void> {
  const body = randomBytes(64);
  client.send(
    new FrameWriter()
      .message(
        1,
        { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
        {},
        body,
        4096,
      )
      .method(1, { name: 'basic.get', args: { queue, noAck: true } })
      .take(),
  );
  const got = await client.waitForAny(['basic.getOk', 'basic.getEmpty']).catch((err: unknown) => {
    const seen = client.frames.map((e) => e.method ?? e.frame.type);
    throw new Error(`the healthy session failed: ${JSON.stringify(seen)}`, { cause: err });
  });
  assert.equal(got.name, 'basic.getOk');
}

test(`fuzz: ${CASES} malformed and mutated frame streams after a valid handshake`, async () => {
  const sub = `fuzz-${randomBytes(4).toString('hex')}`;
  const gw = await startTestGateway(['--max-channels', '2047', '--max-sessions-per-user', '1000']);
  const jwt = await gw.token({ sub });
  const started = Date.now();
  const byKind = new Map<string, Map<string, number>>();
  let done = 0;
  try {
    const healthy = await healthySession(gw.url, jwt);
    const runners = Array.from({ length: WORKERS }, () => new FuzzSessions(gw, jwt));
    const perWorker = Math.ceil(CASES / WORKERS);
    await Promise.all(
      runners.map((runner, i) =>
        fc
          .assert(
            fc.asyncProperty(fuzzCase, async (c) => {
              const outcome = await runner.run(c);
              const label = outcome.kind === 'closed' ? String(outcome.replyCode) : outcome.kind;
              const counts = byKind.get(c.kind) ?? new Map<string, number>();
              counts.set(label, (counts.get(label) ?? 0) + 1);
              byKind.set(c.kind, counts);
              done++;
              if (outcome.kind === 'closed') {
                assert.ok(
                  ALLOWED_CLOSE_CODES.has(outcome.replyCode),
                  `${c.kind}: connection.close ${outcome.replyCode}`,
                );
              }
              if (c.expect !== undefined) {
                assert.equal(outcome.kind, 'closed', `${c.kind} was not answered with connection.close`);
                assert.ok(
                  outcome.kind === 'closed' && c.expect.includes(outcome.replyCode),
                  `${c.kind}: expected ${c.expect.join('/')}, got ${JSON.stringify(outcome)}`,
                );
              }
            }),
            {
              numRuns: Math.min(perWorker, CASES - i * perWorker),
              seed: Number(process.env['WARREN_FUZZ_SEED'] ?? Date.now()) + i,
            },
          )
          .catch((err: unknown) => {
            // The reporter does not print the cause, which is what went wrong.
            const cause = (err as { cause?: unknown }).cause;
            throw new Error(`${String(err)}\ncause: ${cause instanceof Error ? cause.message : String(cause)}`);
          }),
      ),
    );
    for (const runner of runners) runner.close();
    await stillWorks(healthy.client, healthy.queue);
    // Terminated fuzz sessions release their broker connections as the gateway sees their sockets go.
    assert.ok(
      await eventually(async () => (await countGatewayConnections(sub)) === 1, 30_000),
      'only the healthy session holds a broker connection',
    );
    healthy.client.terminate();
    assert.ok(await eventually(async () => (await countGatewayConnections(sub)) === 0, 30_000));
    assert.equal(await metricValue(gw.port, 'warren_sessions_total{outcome="error-541"}'), 0);
    const sessions = runners.reduce((n, r) => n + r.sessions, 0);
    const seconds = (Date.now() - started) / 1000;
    const summary = [...byKind].map(([k, m]) => `${k}: ${[...m].map(([o, n]) => `${o}×${n}`).join(' ')}`);
    console.log(
      `fuzz: ${done} cases, ${sessions} sessions, ${seconds.toFixed(1)} s, ${WORKERS} workers\n  ${summary.join('\n  ')}`,
    );
  } finally {
    await gw.stop();
  }
});
