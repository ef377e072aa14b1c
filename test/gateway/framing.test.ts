import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FrameType, FrameWriter } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  consumeQueue,
  declareQueue,
  handshakeBytes,
  openChannelWithQueue,
  RawClient,
  startOkBytes,
  tuneOkOpenBytes,
} from '../helpers/raw-client.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.stop();
});

/**
 * Everything after the handshake as one byte string: channel.open, an
 * exclusive queue, a publish of `body` to it (frames of at most 4096 bytes, so
 * the body spans several), and a basic.get that fetches it back.
 */
function publishAndGetBytes(queue: string, body: Uint8Array): Uint8Array {
  return new FrameWriter()
    .method(1, { name: 'channel.open', args: {} })
    .method(1, declareQueue(queue))
    .message(
      1,
      { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
      { contentType: 'application/octet-stream' },
      body,
      4096,
    )
    .method(1, { name: 'basic.get', args: { queue, noAck: true } })
    .take();
}

/** Waits for the get-ok and the body frames; returns the body as it came back. */
async function fetchedBody(client: RawClient, size: number): Promise<Buffer> {
  const getOk = await client.waitFor('basic.getOk');
  assert.equal(getOk.args.messageCount, 0);
  return bodyFrames(client, size);
}

/** The next body frames, joined, until they hold `size` bytes. */
async function bodyFrames(client: RawClient, size: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let have = 0; have < size;) {
    const { frame } = await client.waitForFrame((e) => e.frame.type === FrameType.Body, 'body frame');
    parts.push(frame.payload);
    have += frame.payload.length;
  }
  return Buffer.concat(parts);
}

const queueName = () => `warren-test-framing-${randomBytes(4).toString('hex')}`;

test('a handshake and publish sent one byte per WebSocket message work', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    const body = randomBytes(10_000);
    const bytes = Buffer.concat([handshakeBytes(await gw.token()), publishAndGetBytes(queueName(), body)]);
    client.sendBytewise(bytes);
    await client.waitFor('connection.openOk');
    assert.ok((await fetchedBody(client, body.length)).equals(body));
  } finally {
    client.terminate();
  }
});

test('a handshake, channel.open, publish, header and body in one WebSocket message work', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    const body = randomBytes(10_000);
    client.send(Buffer.concat([handshakeBytes(await gw.token()), publishAndGetBytes(queueName(), body)]));
    await client.waitFor('connection.openOk');
    assert.ok((await fetchedBody(client, body.length)).equals(body));
  } finally {
    client.terminate();
  }
});

test('a publish cut into two messages at every offset arrives whole each time', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    const queue = queueName();
    client.send(Buffer.concat([handshakeBytes(await gw.token()), publishAndGetBytes(queue, Uint8Array.of(0))]));
    await client.waitFor('basic.getOk');
    // Confirms tell when every publish is in the queue, so the count below is settled.
    client.send(new FrameWriter().method(1, { name: 'confirm.select', args: { noWait: false } }).take());
    await client.waitFor('confirm.selectOk');
    const publish = new FrameWriter()
      .message(
        1,
        { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
        { messageId: 'cut' },
        randomBytes(20),
        4096,
      )
      .take();
    for (let cut = 1; cut < publish.length; cut++) {
      client.send(publish.subarray(0, cut));
      client.send(publish.subarray(cut));
    }
    const last = publish.length - 1;
    await client.waitForFrame(
      (e) => e.method?.name === 'basic.ack' && e.method.args.deliveryTag === last,
      'the last publish confirmed',
    );
    client.send(new FrameWriter().method(1, declareQueue(queue, { passive: true })).take());
    const ok = await client.waitFor('queue.declareOk');
    assert.equal(ok.args.messageCount, last);
  } finally {
    client.terminate();
  }
});

test('deliveries of many frames each leave as one WebSocket message, the frame a read ended in included', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    client.send(startOkBytes(await gw.token()));
    await client.waitFor('connection.tune');
    // amqp-client.js's frame_max: a 64 KiB body is 9 frames, and most reads from the broker end in one.
    client.send(tuneOkOpenBytes('/', 8192));
    await client.waitFor('connection.openOk');
    const queue = queueName();
    await openChannelWithQueue(client, queue);
    client.send(new FrameWriter().method(1, { name: 'confirm.select', args: { noWait: false } }).take());
    await client.waitFor('confirm.selectOk');
    const count = 200;
    const bodies = Array.from({ length: count }, () => randomBytes(64 * 1024));
    const publishes = new FrameWriter();
    for (const body of bodies) {
      publishes.message(
        1,
        { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
        {},
        body,
        8192,
      );
    }
    client.send(publishes.take());
    await client.waitForFrame(
      (e) => e.method?.name === 'basic.ack' && e.method.args.deliveryTag === count,
      'every publish confirmed',
    );
    // All in the queue, the broker sends them as fast as it can: the gateway's reads come full.
    const before = client.messages;
    client.send(new FrameWriter().method(1, consumeQueue(queue)).take());
    for (const [i, body] of bodies.entries()) {
      await client.waitFor('basic.deliver');
      assert.ok((await bodyFrames(client, body.length)).equals(body), `delivery ${i} intact`);
    }
    const messages = client.messages - before;
    // One message per read: without carrying a read's unfinished frame over, it is two (the frame gathered apart).
    assert.ok(messages < 1.3 * count, `${messages} WebSocket messages for ${count} deliveries`);
  } finally {
    client.terminate();
  }
});
