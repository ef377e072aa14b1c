import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameWriter, PROTOCOL_HEADER, ReplyCode } from '../../shared/index.js';
import { countGatewayConnections } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { metricValue } from '../helpers/http.js';
import { consumeQueue, openChannelWithQueue, RawClient, startOkBytes, UpgradeRefused } from '../helpers/raw-client.js';
import { openSession, publishBytes, uniqueSubject } from './hardening-helpers.js';

const POLICY_VIOLATION = 1008;

async function withGateway(flags: string[], body: (gw: TestGateway) => Promise<void>): Promise<void> {
  const gw = await startTestGateway(flags);
  try {
    await body(gw);
  } finally {
    await gw.stop();
  }
}

async function refusedStatus(promise: Promise<RawClient>): Promise<number> {
  try {
    const client = await promise;
    client.terminate();
    return 101;
  } catch (err) {
    assert.ok(err instanceof UpgradeRefused, String(err));
    return err.status;
  }
}

/** Waits for the connection.close the gateway sends, answers it, and returns its reply code. */
async function closeCode(client: RawClient): Promise<number> {
  const close = await client.waitFor('connection.close');
  client.closeOk();
  return close.args.replyCode;
}

test('an upgrade that never sends the protocol header is closed after --handshake-timeout', async () => {
  await withGateway(['--handshake-timeout', '300ms'], async (gw) => {
    const client = await RawClient.connect(gw.url);
    assert.equal(await client.closed, POLICY_VIOLATION);
    assert.equal(await metricValue(gw.port, 'warren_sessions_total{outcome="handshake-timeout"}'), 1);
  });
});

test('a client that sends the header but no start-ok is closed after --handshake-timeout', async () => {
  await withGateway(['--handshake-timeout', '300ms'], async (gw) => {
    const client = await RawClient.connect(gw.url);
    client.send(PROTOCOL_HEADER);
    await client.waitFor('connection.start');
    assert.equal(await client.closed, POLICY_VIOLATION);
  });
});

test('a start-ok over --max-preauth-frame-size is a 501 frame error and opens no broker connection', async () => {
  await withGateway(['--max-preauth-frame-size', '4096'], async (gw) => {
    const sub = uniqueSubject('preauth');
    const client = await RawClient.connect(gw.url);
    // A valid token padded out by a big client property: the frame, not the token, is what is refused.
    const jwt = await gw.token({ sub });
    client.send(startOkBytes(jwt, 'x'.repeat(8000)));
    assert.equal(await closeCode(client), ReplyCode.FrameError);
    await client.closed;
    assert.equal(await metricValue(gw.port, 'warren_broker_connect_seconds_count'), 0);
    assert.equal(await countGatewayConnections(sub), 0);
  });
});

test('--max-handshakes 2: a third unauthenticated upgrade gets 503', async () => {
  await withGateway(['--max-handshakes', '2'], async (gw) => {
    const a = await RawClient.connect(gw.url);
    const b = await RawClient.connect(gw.url);
    assert.equal(await refusedStatus(RawClient.connect(gw.url)), 503);
    a.terminate();
    await a.closed;
    // A finished handshake frees its slot too.
    await eventuallyAccepted(gw);
    b.terminate();
  });
});

async function eventuallyAccepted(gw: TestGateway): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const status = await refusedStatus(RawClient.connect(gw.url));
    if (status === 101) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the freed handshake slot was never given back');
}

test('--max-sessions 2: a third upgrade gets 503 while two sessions are open', async () => {
  await withGateway(['--max-sessions', '2'], async (gw) => {
    const sub = uniqueSubject('total');
    const a = await openSession(gw, sub);
    const b = await openSession(gw, sub);
    assert.equal(await refusedStatus(RawClient.connect(gw.url)), 503);
    a.terminate();
    b.terminate();
  });
});

test('--max-sessions-per-user 1: the same subject is refused 530, another subject is let in', async () => {
  await withGateway(['--max-sessions-per-user', '1'], async (gw) => {
    const sub = uniqueSubject('per-user');
    const first = await openSession(gw, sub);
    const second = await RawClient.connect(gw.url);
    second.send(startOkBytes(await gw.token({ sub })));
    assert.equal(await closeCode(second), ReplyCode.NotAllowed);
    const other = await openSession(gw, uniqueSubject('per-user-other'));
    assert.equal(await countGatewayConnections(sub), 1);
    first.terminate();
    other.terminate();
  });
});

test('--max-sessions-per-ip honours X-Forwarded-For from a trusted proxy only', async () => {
  await withGateway(['--max-sessions-per-ip', '1', '--trusted-proxies', '127.0.0.1'], async (gw) => {
    const viaProxy = (ip: string) => RawClient.connect(gw.url, { headers: { 'x-forwarded-for': ip } });
    const a = await viaProxy('203.0.113.1');
    assert.equal(await refusedStatus(viaProxy('203.0.113.1')), 429);
    const b = await viaProxy('203.0.113.2');
    a.terminate();
    b.terminate();
  });
  await withGateway(['--max-sessions-per-ip', '1'], async (gw) => {
    // Not behind a trusted proxy: the header is the client's own claim and is ignored.
    const viaHeader = (ip: string) => RawClient.connect(gw.url, { headers: { 'x-forwarded-for': ip } });
    const a = await viaHeader('203.0.113.1');
    assert.equal(await refusedStatus(viaHeader('203.0.113.2')), 429);
    a.terminate();
  });
});

test('a channel above the negotiated channel_max is connection error 504', async () => {
  await withGateway(['--max-channels', '4'], async (gw) => {
    const client = await RawClient.connect(gw.url);
    client.send(startOkBytes(await gw.token({ sub: uniqueSubject('channels') })));
    const tune = await client.waitFor('connection.tune');
    assert.equal(tune.args.channelMax, 4);
    client.send(
      new FrameWriter()
        .method(0, { name: 'connection.tuneOk', args: { channelMax: 4, frameMax: tune.args.frameMax, heartbeat: 0 } })
        .method(0, { name: 'connection.open', args: { virtualHost: '/' } })
        .take(),
    );
    await client.waitFor('connection.openOk');
    client.send(new FrameWriter().method(4, { name: 'channel.open', args: {} }).take());
    await client.waitFor('channel.openOk');
    client.send(new FrameWriter().method(5, { name: 'channel.open', args: {} }).take());
    assert.equal(await closeCode(client), ReplyCode.ChannelError);
  });
});

test('a message over --max-message-size is channel.close 406 and the session goes on', async () => {
  await withGateway(['--max-message-size', '1000'], async (gw) => {
    const client = await openSession(gw, uniqueSubject('size'));
    const queue = uniqueSubject('warren-test-hardening');
    await openChannelWithQueue(client, queue, 1);
    client.send(publishBytes(1, queue, new Uint8Array(2000)));
    const close = await client.waitFor('channel.close');
    assert.equal(close.args.replyCode, ReplyCode.PreconditionFailed);
    client.send(new FrameWriter().method(1, { name: 'channel.closeOk', args: {} }).take());
    // The connection is intact: a message under the limit on another channel goes through.
    const queue2 = uniqueSubject('warren-test-hardening');
    await openChannelWithQueue(client, queue2, 2);
    client.send(publishBytes(2, queue2, new Uint8Array(500)));
    client.send(new FrameWriter().method(2, { name: 'basic.get', args: { queue: queue2, noAck: true } }).take());
    const got = await client.waitFor('basic.getOk');
    assert.equal(got.args.routingKey, queue2);
    client.terminate();
  });
});

test('--publish-rate holds reading past the limit: every message arrives, none before its time', async () => {
  const rate = 20;
  const count = 50;
  await withGateway(['--publish-rate', String(rate)], async (gw) => {
    const client = await openSession(gw, uniqueSubject('rate'));
    const queue = uniqueSubject('warren-test-hardening');
    await openChannelWithQueue(client, queue, 1);
    client.send(new FrameWriter().method(1, consumeQueue(queue)).take());
    await client.waitFor('basic.consumeOk');
    const started = Date.now();
    // All publishes in one WebSocket message: the limit must hold even inside one read.
    const w = new FrameWriter();
    for (let i = 0; i < count; i++) w.raw(publishBytes(1, queue, new TextEncoder().encode(String(i))));
    client.send(w.take());
    let received = 0;
    while (received < count) {
      await client.waitFor('basic.deliver');
      received++;
    }
    assert.equal(received, count);
    // The bucket holds one second's worth; the rest can pass no faster than the rate.
    const floorMs = ((count - rate - 2) / rate) * 1000;
    assert.ok(Date.now() - started >= floorMs, `${count} publishes took ${Date.now() - started} ms`);
    assert.ok((await metricValue(gw.port, 'warren_backpressure_pauses_total{direction="publish-rate"}')) >= 1);
    client.terminate();
  });
});
