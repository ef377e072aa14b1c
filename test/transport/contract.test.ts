import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { AMQPClient, AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { FrameType, FrameWriter, ReplyCode, type FieldTable } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { consumeQueue, declareQueue, handshakeBytes, RawClient, UpgradeRefused } from '../helpers/raw-client.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { selfSignedCert, tlsFrontOfBroker } from '../helpers/tls-files.js';

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

/**
 * Publishes `count` messages of `size` bytes straight to the broker, into a fresh queue; returns its name.
 * Message `i` starts with the byte `i & 0xff`, and is `fill` for the rest when given.
 */
async function fillQueue(count: number, size: number, fill?: (i: number, at: number) => number): Promise<string> {
  const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
  try {
    const ch = await conn.channel();
    // x-expires cleans the queue up should a test fail before deleting it.
    const { name } = await ch.queueDeclare(queueName('fill'), { autoDelete: false }, { 'x-expires': 60_000 });
    // Published 100 at a time: each publish encodes its body at once, so one buffer serves them all.
    const body = new Uint8Array(size);
    for (let i = 0; i < count; i += 100) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(count, i + 100); j++) {
        if (fill !== undefined) for (let at = 0; at < size; at++) body[at] = fill(j, at);
        body[0] = j & 0xff;
        batch.push(ch.basicPublish('', name, body));
      }
      await Promise.all(batch);
    }
    return name;
  } finally {
    await conn.close();
  }
}

/** How many messages `name` holds, asked of the broker directly. */
async function messageCount(name: string): Promise<number> {
  const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
  try {
    return (await (await conn.channel()).queueDeclare(name, { passive: true })).messageCount;
  } finally {
    await conn.close();
  }
}

async function deleteQueue(name: string): Promise<void> {
  const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
  await (await conn.channel()).queueDelete(name);
  await conn.close();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds, checking every 10 ms; rejects naming `what` after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** Resolves once `read` gave the same value `times` times in a row, 100 ms apart; returns that value. */
async function settled<T>(read: () => T | Promise<T>, times = 3): Promise<T> {
  let last = await read();
  for (let same = 1; same < times;) {
    await sleep(100);
    const now = await read();
    same = now === last ? same + 1 : 1;
    last = now;
  }
  return last;
}

/**
 * Consumes `count` messages of `size` bytes through `gw` while the browser
 * stops and starts reading every 15 ms, and checks every byte of each.
 */
async function readInFitsAndStarts(gw: TestGateway, count: number, size: number): Promise<void> {
  const fill = (i: number, at: number) => (i * 131 + at * 7 + (at >> 10)) & 0xff;
  const queue = await fillQueue(count, size, fill);
  const client = await RawClient.connect(gw.url);
  let paused = false;
  const fits = setInterval(() => {
    paused = !paused;
    if (paused) client.pauseReading();
    else client.resumeReading();
  }, 15);
  try {
    client.send(handshakeBytes(await gw.token()));
    await client.waitFor('connection.openOk');
    client.send(new FrameWriter().method(1, { name: 'channel.open', args: {} }).method(1, consumeQueue(queue)).take());
    const body = new Uint8Array(size);
    for (let i = 0; i < count; i++) {
      let have = 0;
      while (have < size) {
        const { frame } = await client.waitForFrame((e) => e.frame.type === FrameType.Body, 'body frame', 30_000);
        body.set(frame.payload, have);
        have += frame.payload.length;
      }
      const wrong = body.findIndex((byte, at) => byte !== (at === 0 ? i & 0xff : fill(i, at)));
      assert.equal(wrong, -1, `message ${i}: byte ${wrong} differs`);
    }
  } finally {
    clearInterval(fits);
    client.terminate();
    await deleteQueue(queue);
  }
}

const MiB = 1024 * 1024;
/** Messages published through a broker that stops reading: 256 KiB each, numbered in their first 4 bytes. */
const BIG = 256 * 1024;
/** 128 MiB: several times what the proxy's and the gateway's buffers hold. */
const MAX_PUBLISHED = 512;

/**
 * A browser session behind a gateway whose broker connection goes through a
 * proxy that can stop reading; publishes numbered messages to a queue it
 * declared (not exclusive, so a direct consumer can count them).
 */
class Publisher {
  published = 0;

  private constructor(
    readonly client: RawClient,
    readonly queue: string,
  ) {}

  static async open(gateway: TestGateway, capabilities?: FieldTable): Promise<Publisher> {
    const client = await RawClient.connect(gateway.url);
    const queue = queueName('to-broker');
    client.send(
      new FrameWriter()
        .raw(handshakeBytes(await gateway.token(), '/', capabilities))
        .method(1, { name: 'channel.open', args: {} })
        .method(1, declareQueue(queue, { exclusive: false, arguments: { 'x-expires': 60_000 } }))
        .take(),
    );
    await client.waitFor('queue.declareOk');
    return new Publisher(client, queue);
  }

  /** Publishes `count` messages in one WebSocket message. */
  publish(count: number): void {
    const w = new FrameWriter();
    const publish = { exchange: '', routingKey: this.queue, mandatory: false, immediate: false };
    for (let i = 0; i < count; i++) {
      const body = Buffer.alloc(BIG);
      body.writeUInt32BE(this.published++);
      w.message(1, { name: 'basic.publish', args: publish }, {}, body, 131072);
    }
    this.client.send(w.take());
  }

  /**
   * Publishes 1 MiB at a time until `done`, each handed on by the WebSocket
   * before the next (a gateway that keeps reading, as uWS does, sees them in
   * step); fails when the socket closes first, or past 128 MiB.
   */
  async publishUntil(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const { client } = this;
    while (!(await done())) {
      assert.equal(client.closeCode, undefined, `the socket closed before ${what}`);
      assert.ok(this.published < MAX_PUBLISHED, `128 MiB published, and not ${what}`);
      this.publish(MiB / BIG);
      await until(() => client.ws.bufferedAmount === 0 || client.closeCode !== undefined, 'the WebSocket sent on');
    }
  }

  /** Consumes the queue straight from the broker; resolves with the message numbers, in order, once all arrived. */
  async received(timeoutMs = 15_000): Promise<number[]> {
    const conn = await new AMQPClient('amqp://guest:guest@127.0.0.1:5672').connect();
    try {
      const numbers: number[] = [];
      const ch = await conn.channel();
      await ch.basicConsume(this.queue, { noAck: true }, (msg) => {
        numbers.push(Buffer.from(msg.body!).readUInt32BE(0));
      });
      await until(() => numbers.length >= this.published, `${this.published} messages arrived`, timeoutMs);
      return numbers;
    } finally {
      await conn.close();
    }
  }

  async close(): Promise<void> {
    this.client.terminate();
    await deleteQueue(this.queue);
  }
}

const numbered = (count: number) => Array.from({ length: count }, (_, i) => i);
const seen = (client: RawClient, name: string) => client.frames.some((e) => e.method?.name === name);
/** The connection.blocked and connection.unblocked a client was sent, in order. */
const notices = (client: RawClient) =>
  client.frames.flatMap((e) => (/^connection\.(un)?blocked$/.test(e.method?.name ?? '') ? [e.method!.name] : []));

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

    for (const how of ['close', 'terminate'] as const) {
      test(`publishes sent just before the WebSocket ends still reach the broker (${how})`, async () => {
        // The frames of a read leave for the broker when its messages end, which may come after the close.
        const queue = await fillQueue(0, 0);
        const client = await RawClient.connect(gw.url);
        try {
          client.send(handshakeBytes(await gw.token()));
          await client.waitFor('connection.openOk');
          const w = new FrameWriter().method(1, { name: 'channel.open', args: {} });
          const publish = { exchange: '', routingKey: queue, mandatory: false, immediate: false };
          for (let i = 0; i < 50; i++)
            w.message(1, { name: 'basic.publish', args: publish }, {}, randomBytes(100), 4096);
          client.send(w.take());
          if (how === 'close') client.ws.close();
          else client.terminate();
          await until(async () => (await messageCount(queue)) === 50, 'all 50 publishes are queued', 5000);
        } finally {
          client.terminate();
          await deleteQueue(queue);
        }
      });
    }

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

    // Large frames (frame_max, 128 KiB) span the gateway's reads of the broker socket, whose memory it reuses
    // while the WebSocket holds none of it; small ones come in reads that do not fill it, which go into memory
    // shared by every session. Either way, a byte relayed from memory read into again would show here. Over
    // TLS the reads are one record each (16 KiB), decrypted into the same memory.
    for (const link of ['amqp', 'amqps'] as const) {
      for (const [what, count, size] of [
        ['large', 40, 300 * 1024],
        ['small', 20_000, 1000],
      ] as const) {
        test(`a browser that reads in fits and starts gets every byte of every ${what} message (${link}:// broker)`, async () => {
          if (link === 'amqp') return readInFitsAndStarts(gw, count, size);
          const cert = await selfSignedCert();
          const front = await tlsFrontOfBroker(cert);
          const tlsGw = await startTestGateway([
            ...['--transport', kind, '--broker', `amqps://guest:guest@localhost:${front.port}`],
            ...['--broker-ca', cert.certFile],
          ]);
          try {
            await readInFitsAndStarts(tlsGw, count, size);
          } finally {
            await tlsGw.stop();
            front.server.close();
            await cert.remove();
          }
        });
      }
    }

    describe('a broker that stops reading', () => {
      let proxy: TcpProxy;
      let proxied: TestGateway;
      const toBrokerPauses = () => counter(proxied, 'warren_backpressure_pauses_total', 'direction="to-broker"');
      before(async () => {
        proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
        proxied = await startTestGateway([
          '--transport',
          kind,
          '--broker',
          `amqp://guest:guest@127.0.0.1:${proxy.port}`,
        ]);
      });
      afterEach(() => proxy.resumeReading());
      after(async () => {
        await proxied.stop();
        await proxy.close();
      });

      /**
       * Stops the proxy reading, and publishes as a browser that honours
       * connection.blocked would: until told, and still told once nothing moves
       * any more (while the proxy's buffers fill, the broker socket may fill and
       * drain more than once).
       */
      async function stallUntilBlocked(publisher: Publisher): Promise<void> {
        proxy.stopReading();
        const last = () => notices(publisher.client).at(-1);
        const blockedForGood = async () =>
          last() === 'connection.blocked' && (await settled(last)) === 'connection.blocked';
        await publisher.publishUntil(blockedForGood, 'told connection.blocked for good');
      }

      /** connection.blocked or unblocked as the broker would send it, on the proxied broker connection. */
      function brokerSays(blocked: boolean): void {
        proxy.sendToClients(
          blocked
            ? new FrameWriter()
                .method(0, { name: 'connection.blocked', args: { reason: 'broker: low on memory' } })
                .take()
            : new FrameWriter().method(0, { name: 'connection.unblocked', args: {} }).take(),
        );
      }

      /** Blocks `publisher` by the gateway, then by the broker: it has been told connection.blocked twice. */
      async function blockedByGatewayThenBroker(publisher: Publisher): Promise<void> {
        await stallUntilBlocked(publisher);
        brokerSays(true);
        await until(() => notices(publisher.client).length >= 2, 'the broker’s blocked relayed');
      }

      if (kind === 'ws') {
        test('stops the gateway reading the browser, whose WebSocket holds the rest; nothing is lost', async () => {
          // Told nothing though it takes connection.blocked: it cannot send faster than the gateway reads.
          const publisher = await Publisher.open(proxied, { 'connection.blocked': true });
          const { client } = publisher;
          try {
            const pausesBefore = await toBrokerPauses();
            proxy.stopReading();
            // Publish until the browser's own WebSocket holds 8 MiB, and still does once nothing moves any
            // more: the gateway stopped reading it rather than take it into memory.
            let held = 0;
            while (held < 8 * MiB) {
              assert.ok(
                publisher.published < MAX_PUBLISHED,
                'the WebSocket never stayed full: the gateway kept reading',
              );
              publisher.publish(4);
              await sleep(1);
              if (client.ws.bufferedAmount >= 8 * MiB) held = await settled(() => client.ws.bufferedAmount);
            }
            assert.ok((await toBrokerPauses()) > pausesBefore, 'the gateway paused for the broker');

            proxy.resumeReading();
            assert.deepEqual(await publisher.received(), numbered(publisher.published));
            assert.ok(!seen(client, 'connection.blocked'));
          } finally {
            await publisher.close();
          }
        });
      }

      if (kind === 'uws') {
        test('the browser is told connection.blocked, then unblocked once it drained; nothing is lost', async () => {
          const publisher = await Publisher.open(proxied, { 'connection.blocked': true });
          const { client } = publisher;
          try {
            const pausesBefore = await toBrokerPauses();
            await stallUntilBlocked(publisher);
            const blocked = await client.waitFor('connection.blocked');
            assert.match(blocked.args.reason, /gateway/);
            assert.ok((await toBrokerPauses()) > pausesBefore);
            assert.equal(client.closeCode, undefined, 'the session stays open under the bound');

            proxy.resumeReading();
            await until(() => notices(client).at(-1) === 'connection.unblocked', 'told connection.unblocked');
            assert.deepEqual(await publisher.received(), numbered(publisher.published));
            const told = notices(client);
            assert.deepEqual(
              told,
              told.map((_, i) => (i % 2 === 0 ? 'connection.blocked' : 'connection.unblocked')),
              'blocked and unblocked alternate',
            );
          } finally {
            await publisher.close();
          }
        });

        test('blocked by the gateway, then the broker: the broker unblocking first is not relayed', async () => {
          const publisher = await Publisher.open(proxied, { 'connection.blocked': true });
          const { client } = publisher;
          try {
            await blockedByGatewayThenBroker(publisher);
            // The broker's unblocked reaches the gateway long before its socket drains (megabytes go through
            // the proxy first); in either order the browser must be told unblocked once.
            brokerSays(false);
            proxy.resumeReading();
            assert.deepEqual(await publisher.received(), numbered(publisher.published));
            await until(() => notices(client).length >= 3, 'told connection.unblocked');
            const reasons = client.frames.flatMap((e) =>
              e.method?.name === 'connection.blocked' ? [e.method.args.reason] : [],
            );
            assert.deepEqual(reasons, ['gateway: the broker is not reading', 'broker: low on memory']);
            // One unblocked, once neither blocks: the broker's, then the gateway's, would say it twice.
            assert.deepEqual(notices(client), ['connection.blocked', 'connection.blocked', 'connection.unblocked']);
          } finally {
            await publisher.close();
          }
        });

        test('blocked by the gateway, then the broker: the gateway unblocking first is not sent', async () => {
          const publisher = await Publisher.open(proxied, { 'connection.blocked': true });
          const { client } = publisher;
          try {
            await blockedByGatewayThenBroker(publisher);
            proxy.resumeReading();
            // Everything reached the broker: the gateway's socket drained well before.
            assert.deepEqual(await publisher.received(), numbered(publisher.published));
            assert.deepEqual(
              notices(client),
              ['connection.blocked', 'connection.blocked'],
              'still blocked by the broker',
            );
            brokerSays(false);
            await until(() => notices(client).length >= 3, 'the broker’s unblocked relayed');
            assert.deepEqual(notices(client), ['connection.blocked', 'connection.blocked', 'connection.unblocked']);
          } finally {
            await publisher.close();
          }
        });

        test('a browser that goes on publishing past the bound gets connection.close 506, then the socket closes', async () => {
          const publisher = await Publisher.open(proxied, { 'connection.blocked': true });
          const { client } = publisher;
          const overrunsBefore = await counter(proxied, 'warren_sessions_total', 'outcome="overrun"');
          try {
            proxy.stopReading();
            // Past connection.blocked, past the 506 (not answered), until the gateway drops the socket.
            await publisher.publishUntil(() => client.closeCode !== undefined, 'the socket closed');
            const names = client.frames.map((e) => e.method?.name);
            const close = await client.waitFor('connection.close');
            const blockedAt = names.indexOf('connection.blocked');
            assert.ok(blockedAt >= 0 && blockedAt < names.indexOf('connection.close'), 'blocked came first');
            assert.equal(close.args.replyCode, ReplyCode.ResourceError);
            assert.match(close.args.replyText, /^RESOURCE_ERROR - /);
            // Another bound's worth after the 506 ends the session well before its 5 s close timeout.
            assert.equal(client.closeCode, 1008);
            assert.equal(await counter(proxied, 'warren_sessions_total', 'outcome="overrun"'), overrunsBefore + 1);
          } finally {
            await publisher.close();
          }
        });

        test('a browser without the connection.blocked capability is never told blocked, up to the 506', async () => {
          const publisher = await Publisher.open(proxied);
          const { client } = publisher;
          try {
            proxy.stopReading();
            // The 506 comes from one pause long past the point where a browser that takes it is told blocked.
            await publisher.publishUntil(() => seen(client, 'connection.close'), 'told connection.close');
            const close = await client.waitFor('connection.close');
            assert.equal(close.args.replyCode, ReplyCode.ResourceError);
            assert.ok(!seen(client, 'connection.blocked'), 'not told connection.blocked');
            client.closeOk();
            assert.equal(await client.closed, 1000);
          } finally {
            await publisher.close();
          }
        });
      }
    });
  });
}
