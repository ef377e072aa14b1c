import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AMQPClient, AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { FrameType, FrameWriter } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { consumeQueue, declareQueue, handshakeBytes, RawClient, UpgradeRefused } from '../helpers/raw-client.js';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const ALLOWED_ORIGIN = 'https://ok.example';
const queueName = (what: string) => `warren-test-transport-${what}-${randomBytes(4).toString('hex')}`;

/** Reads one counter (all label sets summed, or one label set) from the gateway's /metrics text. */
async function counter(gw: TestGateway, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const client = await RawClient.connect(url, { headers });
    client.terminate();
  } catch (err) {
    if (err instanceof UpgradeRefused) return err.status;
    throw err;
  }
  return 101;
}

/** Publishes `count` messages of `size` bytes straight to the broker, into a fresh queue; returns its name. */
async function fillQueue(count: number, size: number): Promise<string> {
  const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
  try {
    const ch = await conn.channel();
    // x-expires cleans the queue up should a test fail before deleting it.
    const { name } = await ch.queueDeclare(queueName('fill'), { autoDelete: false }, { 'x-expires': 60_000 });
    const body = new Uint8Array(size);
    for (let i = 0; i < count; i++) {
      body[0] = i & 0xff;
      await ch.basicPublish('', name, body);
    }
    return name;
  } finally {
    await conn.close();
  }
}

async function deleteQueue(name: string): Promise<void> {
  const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
  await (await conn.channel()).queueDelete(name);
  await conn.close();
}

for (const kind of ['ws', 'uws'] as const) {
  describe(`transport contract: ${kind}`, () => {
    let gw: TestGateway;
    before(async () => {
      gw = await startTestGateway(['--transport', kind, '--allowed-origins', ALLOWED_ORIGIN]);
    });
    after(async () => {
      await gw.stop();
    });

    test('healthz, readyz and metrics answer; other paths are 404', async () => {
      const base = `http://127.0.0.1:${gw.port}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^warren_sessions_open /m);
      assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    });

    test('upgrades are refused: wrong path 404, foreign origin 403, bad token 401', async () => {
      assert.equal(await refusal(`ws://127.0.0.1:${gw.port}/elsewhere`), 404);
      assert.equal(await refusal(gw.url, { origin: 'https://evil.example' }), 403);
      assert.equal(await refusal(`${gw.url}?access_token=not-a-jwt`), 401);
      assert.equal(await refusal(gw.url, { origin: ALLOWED_ORIGIN }), 101);
    });

    test('the subprotocol amqp is chosen when offered, none otherwise', async () => {
      const offered = await RawClient.connect(gw.url, { protocols: ['mqtt', 'amqp'] });
      assert.equal(offered.protocol, 'amqp');
      offered.terminate();
      const none = await RawClient.connect(gw.url);
      assert.equal(none.protocol, '');
      none.terminate();
    });

    test('amqp-client.js publishes and consumes, including a 1 MiB message', async () => {
      const conn = await new AMQPWebSocketClient(gw.url, '/', '', await gw.token()).connect();
      try {
        const ch = await conn.channel();
        const { name } = await ch.queueDeclare('', { exclusive: true });
        const big = randomBytes(1024 * 1024);
        const received: Uint8Array[] = [];
        const done = new Promise<void>((resolve) => {
          void ch.basicConsume(name, { noAck: true }, (msg) => {
            received.push(msg.body ?? new Uint8Array(0));
            if (received.length === 2) resolve();
          });
        });
        await ch.basicPublish('', name, 'small');
        await ch.basicPublish('', name, big);
        await done;
        assert.equal(Buffer.from(received[0]!).toString(), 'small');
        assert.ok(Buffer.from(received[1]!).equals(big));
      } finally {
        await conn.close();
      }
    });

    test('many frames in one WebSocket message are all relayed', async () => {
      const client = await RawClient.connect(gw.url);
      try {
        const queue = queueName('many');
        const w = new FrameWriter();
        w.raw(handshakeBytes(await gw.token()));
        w.method(1, { name: 'channel.open', args: {} });
        w.method(1, declareQueue(queue));
        const publish = { exchange: '', routingKey: queue, mandatory: false, immediate: false };
        for (let i = 0; i < 200; i++) {
          w.message(1, { name: 'basic.publish', args: publish }, {}, randomBytes(100), 4096);
        }
        w.method(1, consumeQueue(queue));
        client.send(w.take());
        for (let i = 0; i < 200; i++) await client.waitFor('basic.deliver');
      } finally {
        client.terminate();
      }
    });

    test('a browser that stops reading pauses the broker socket, and nothing is lost', async () => {
      const count = 200;
      const size = 256 * 1024; // 50 MiB in all
      const queue = await fillQueue(count, size);
      const client = await RawClient.connect(gw.url);
      try {
        const pausesBefore = await counter(gw, 'warren_backpressure_pauses_total', 'direction="to-browser"');
        client.send(handshakeBytes(await gw.token()));
        await client.waitFor('connection.openOk');
        client.pauseReading();
        client.send(
          new FrameWriter().method(1, { name: 'channel.open', args: {} }).method(1, consumeQueue(queue)).take(),
        );
        while ((await counter(gw, 'warren_backpressure_pauses_total', 'direction="to-browser"')) === pausesBefore) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        client.resumeReading();
        const firstBytes: number[] = [];
        let have = 0;
        let inMessage = 0;
        while (have < count * size) {
          const { frame } = await client.waitForFrame((e) => e.frame.type === FrameType.Body, 'body frame', 30_000);
          if (inMessage === 0) firstBytes.push(frame.payload[0]!);
          inMessage = (inMessage + frame.payload.length) % size;
          have += frame.payload.length;
        }
        assert.equal(have, count * size);
        assert.deepEqual(
          firstBytes,
          Array.from({ length: count }, (_, i) => i & 0xff),
        );
      } finally {
        client.terminate();
        await deleteQueue(queue);
      }
    });
  });
}
