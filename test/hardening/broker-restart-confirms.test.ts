import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import amqplib from 'amqplib';
import { connect } from '../../browser/index.js';
import { NodeWebSocket, unique } from '../client/helpers.js';
import { ensureBrokerStarted, eventually, startBrokerApp, stopBrokerApp } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await ensureBrokerStarted();
  await gw.stop();
});

test('broker restarted under publishing load with confirms: every confirmed message is there afterwards', async () => {
  const queue = unique('restart-confirms');
  const conn = await connect({
    url: gw.url,
    token: () => gw.token(),
    WebSocket: NodeWebSocket,
    reconnect: { initialDelay: 100, maxDelay: 1000 },
    waitTimeout: 20_000,
  });
  const confirmed = new Set<number>();
  let refused = 0;
  try {
    const ch = await conn.channel();
    await ch.queueDeclare(queue, { durable: true });
    await ch.confirmSelect();

    let stop = false;
    let next = 0;
    // Four publishers keep messages in flight while the broker goes away and comes back.
    const publishers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const id = next++;
        try {
          await ch.basicPublish('', queue, String(id), { deliveryMode: 2 });
          confirmed.add(id);
        } catch {
          refused++; // lost with the connection or timed out: not confirmed, so it may be missing
        }
      }
    });

    await eventually(async () => confirmed.size >= 500, 20_000, 20);
    await stopBrokerApp();
    await startBrokerApp();
    const atRestart = confirmed.size;
    // Publishing resumes through a new session once the client has reconnected.
    assert.ok(await eventually(async () => confirmed.size >= atRestart + 500, 60_000, 50), 'publishing resumed');
    stop = true;
    await Promise.all(publishers);
  } finally {
    await conn.close().catch(() => {});
  }

  const direct = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const ch = await direct.createChannel();
    const found = new Set<number>();
    for (;;) {
      const msg = await ch.get(queue, { noAck: true });
      if (msg === false) break;
      found.add(Number(msg.content.toString()));
    }
    const missing = [...confirmed].filter((id) => !found.has(id));
    assert.deepEqual(
      missing,
      [],
      `${missing.length} of ${confirmed.size} confirmed messages are missing (${refused} publishes were refused)`,
    );
    assert.ok(confirmed.size > 1000);
    await ch.deleteQueue(queue);
  } finally {
    await direct.close();
  }
});
