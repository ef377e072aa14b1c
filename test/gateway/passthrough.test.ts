import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { decodeMethod, FrameSplitter, FrameType, PROTOCOL_HEADER, ReplyCode } from '../../shared/index.js';
import { rabbitmqctl } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { RawClient, startOkBytes } from '../helpers/raw-client.js';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

// The shared broker runs RabbitMQ's internal backend, not OAuth2: a broker user whose
// password is the JWT stands in for a backend that accepts the token, which shows the
// gateway logs in with the session's own token (and subject) in passthrough mode.
const subject = `passthru-${randomBytes(4).toString('hex')}`;
let gw: TestGateway;
let jwt: string;

before(async () => {
  gw = await startTestGateway(['--broker-auth', 'passthrough']);
  jwt = await gw.token({ sub: subject });
  await rabbitmqctl('add_user', subject, jwt);
  await rabbitmqctl('set_permissions', '-p', '/', subject, '.*', '.*', '.*');
});
after(async () => {
  await rabbitmqctl('delete_user', subject).catch(() => '');
  await gw.stop();
});

test('passthrough: the broker connection logs in with the session’s token and subject', async () => {
  const conn = await new AMQPWebSocketClient(gw.url, '/', '', jwt).connect();
  try {
    const users = await rabbitmqctl('list_connections', '-q', '--no-table-headers', 'user');
    assert.ok(users.split('\n').includes(subject), 'the broker sees the token’s subject as the user');
    const ch = await conn.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    await ch.basicPublish('', name, 'via passthrough');
    assert.equal((await ch.basicGet(name, { noAck: true }))?.bodyToString(), 'via passthrough');
  } finally {
    await conn.close();
  }
});

test('passthrough: a token the broker does not accept gets the broker’s own 403', async () => {
  // Valid for the gateway (same secret), but no broker user has it as password.
  const stranger = await gw.token({ sub: `${subject}-stranger` });
  const client = await RawClient.connect(gw.url);
  try {
    client.send(PROTOCOL_HEADER);
    await client.waitFor('connection.start');
    client.send(startOkBytes(stranger).subarray(PROTOCOL_HEADER.length));
    const close = await client.waitFor('connection.close');
    assert.equal(close.args.replyCode, ReplyCode.AccessRefused);
  } finally {
    client.terminate();
  }
});

test('passthrough: connection.update-secret goes on to the broker, which answers it', async () => {
  // Watch what the gateway sends the broker through a proxy.
  const sentToBroker: string[] = [];
  const splitter = new FrameSplitter({ frameMax: 1 << 20, protocolHeader: true });
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 }, (chunk) =>
    splitter.push(chunk, (frame) => {
      if (frame.type === FrameType.Method) sentToBroker.push(decodeMethod(frame.payload).name);
    }),
  );
  const watched = await startTestGateway(
    ['--broker-auth', 'passthrough', '--broker', `amqp://127.0.0.1:${proxy.port}`],
    {
      secret: gw.secret,
    },
  );
  const conn = await new AMQPWebSocketClient(watched.url, '/', '', jwt).connect();
  try {
    await conn.updateSecret(await gw.token({ sub: subject }), 'refresh');
    assert.ok(sentToBroker.includes('connection.updateSecret'), 'the refresh reached the broker');
    const ch = await conn.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    assert.match(name, /^amq\.gen-/);
  } finally {
    await conn.close();
    await watched.stop();
    await proxy.close();
  }
});
