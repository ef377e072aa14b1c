import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { ensureBrokerStarted, stopBrokerApp } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handshake, RawClient } from '../helpers/raw-client.js';

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await ensureBrokerStarted();
  await gw.stop();
});

test('a broker restart closes open sessions with the broker’s own 320, and new sessions work after it', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    await handshake(client, await gw.token());
    await stopBrokerApp();

    const close = await client.waitFor('connection.close', 30_000);
    assert.equal(close.args.replyCode, ReplyCode.ConnectionForced);
    assert.match(close.args.replyText, /^CONNECTION_FORCED/, 'the text is RabbitMQ’s, relayed as sent');
    // Answer late: by now RabbitMQ has dropped the socket too, which must not bring a second close.
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.closeOk();
    assert.equal(await client.closed, 1000);
    const closes = client.frames.filter((e) => e.method?.name === 'connection.close');
    assert.equal(closes.length, 1, 'the browser is told once');
  } finally {
    client.terminate();
    await ensureBrokerStarted();
  }

  const after = await RawClient.connect(gw.url);
  try {
    await handshake(after, await gw.token());
  } finally {
    after.terminate();
  }
});
