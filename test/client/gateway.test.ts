import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, connect, type ConnectOptions, type WarrenError } from '../../browser/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { NodeWebSocket, delay, nextEvent } from './helpers.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

function connectGateway(options: Partial<ConnectOptions> = {}): ReturnType<typeof connect> {
  return connect({ url: gw.url, token: () => gw.token(), WebSocket: NodeWebSocket, ...options });
}

test('through the gateway with a JWT: declare, publish, consume', async () => {
  const conn = await connectGateway();
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  const consumer = await ch.basicConsume(queue, { noAck: true });
  await ch.basicPublish('', queue, 'through the gateway');
  for await (const msg of consumer) {
    assert.equal(msg.text, 'through the gateway');
    break;
  }
  await conn.close();
});

test('a token function is called again before expiry and the session outlives the first token', async () => {
  const issued: number[] = [];
  const conn = await connectGateway({
    token: () => {
      issued.push(Date.now());
      return gw.token({ expiresIn: 3 });
    },
  });
  const errors: unknown[] = [];
  conn.on('error', (e) => errors.push(e));
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  // The first token expires at 3 s; the refresh comes at 2.4 s, the next at about 4.8 s.
  await delay(4000);
  assert.ok(issued.length >= 2, `token fetched ${issued.length} times`);
  assert.ok(issued[1]! - issued[0]! < 3000, 'refreshed before expiry');
  await ch.basicPublish('', queue, 'still here');
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.text, 'still here');
  assert.deepEqual(errors, []);
  await conn.close();
});

test('updateToken() sends a given token with connection.update-secret', async () => {
  const conn = await connectGateway({ token: await gw.token() });
  await conn.updateToken(await gw.token({ expiresIn: 600 }));
  const ch = await conn.channel();
  await ch.queueDeclare('', { exclusive: true });
  await conn.close();
});

test('a fixed token that expires ends the session with 403 and no reconnect', async () => {
  const conn = await connectGateway({ token: await gw.token({ expiresIn: 1 }) });
  const reconnecting: unknown[] = [];
  conn.on('reconnecting', (info) => reconnecting.push(info));
  const [err] = await nextEvent<[WarrenError | undefined]>(conn, 'close', 5000);
  assert.equal(err?.code, ErrorCode.ConnectionClosed);
  assert.equal(err?.replyCode, 403);
  assert.deepEqual(reconnecting, []);
});

test('a bad token is refused with 403', async () => {
  await assert.rejects(connectGateway({ token: 'not-a-jwt' }), { code: ErrorCode.ConnectionClosed, replyCode: 403 });
});

test('an operation the token does not grant closes the channel with 403; the connection lives on', async () => {
  const conn = await connectGateway({ token: await gw.token({ scope: 'rabbitmq.read:%2F/*' }) });
  const ch = await conn.channel();
  await assert.rejects(ch.exchangeDeclare('warren.test.forbidden', 'fanout'), {
    code: ErrorCode.ChannelClosed,
    replyCode: 403,
  });
  // The connection is untouched: another channel opens.
  await conn.channel();
  await conn.close();
});

test('the gateway restarts: the client reconnects with a fresh token, consumers resume, confirm mode is restored', async () => {
  let current = await startTestGateway();
  const port = current.port;
  let fetched = 0;
  const conn = await connect({
    url: current.url,
    token: () => {
      fetched++;
      return current.token();
    },
    WebSocket: NodeWebSocket,
    reconnect: { initialDelay: 100, maxDelay: 500 },
  });
  try {
    const ch = await conn.channel();
    await ch.confirmSelect();
    const { queue } = await ch.queueDeclare('', { exclusive: true });
    const got: string[] = [];
    const consumer = await ch.basicConsume(queue, { noAck: true }, (m) => got.push(m.text));
    await ch.basicPublish('', queue, 'before');

    const reconnected = nextEvent<[{ renamedQueues: Map<string, string> }]>(conn, 'reconnected', 20_000);
    await current.stop();
    current = await startTestGateway(['--port', String(port)]);
    const [{ renamedQueues }] = await reconnected;
    assert.equal(fetched, 2);
    assert.equal(consumer.queue, renamedQueues.get(queue));
    await ch.basicPublish('', consumer.queue, 'after');
    for (let i = 0; i < 100 && got.length < 2; i++) await delay(20);
    assert.deepEqual(got, ['before', 'after']);
  } finally {
    await conn.close();
    await current.stop();
  }
});
