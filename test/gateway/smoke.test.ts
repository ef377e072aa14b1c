import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.stop();
});

test('an unmodified amqp-client.js publishes and consumes through the gateway', async () => {
  const client = new AMQPWebSocketClient(gw.url, '/', '', await gw.token());
  const conn = await client.connect();
  const ch = await conn.channel();
  const { name } = await ch.queueDeclare('', { exclusive: true });
  await ch.basicPublish('', name, 'hello', { headers: { a: 1 } });
  const msg = await ch.basicGet(name, { noAck: true });
  assert.equal(msg?.bodyToString(), 'hello');
  assert.equal(msg?.properties.headers?.['x-warren-user'], 'alice');
  await conn.close();
});
