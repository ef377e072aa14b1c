import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { gatewayConnectionPids, rabbitmqctl } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handshake, RawClient } from '../helpers/raw-client.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let proxy: TcpProxy;
let gw: TestGateway;
before(async () => {
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
  gw = await startTestGateway(['--broker', `amqp://guest:guest@127.0.0.1:${proxy.port}`]);
});
after(async () => {
  await gw.stop();
  await proxy.close();
});

/** Every connection.close the client received, in order. */
function closesSeen(client: RawClient) {
  return client.frames.flatMap((e) => (e.method?.name === 'connection.close' ? [e.method.args] : []));
}

test('a broker connection closed by the broker is relayed as RabbitMQ sent it, once', async () => {
  const sub = `lost-${randomBytes(4).toString('hex')}`;
  const client = await RawClient.connect(gw.url);
  try {
    await handshake(client, await gw.token({ sub }));
    const [id] = await gatewayConnectionPids(sub);
    assert.ok(id !== undefined, 'the session has its broker connection');
    await rabbitmqctl('close_connection', id, 'test says goodbye');

    const close = await client.waitFor('connection.close');
    assert.equal(close.args.replyCode, ReplyCode.ConnectionForced);
    assert.match(close.args.replyText, /test says goodbye/);
    // Answer only after the broker dropped its socket, which it does without waiting for us.
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.closeOk();
    await client.closed;
    assert.equal(closesSeen(client).length, 1, 'the browser is told once');
  } finally {
    client.terminate();
  }
});

test('a broker connection cut under a session closes it with 320 and a reason', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    await handshake(client, await gw.token());
    proxy.cutAll();
    const close = await client.waitFor('connection.close');
    assert.equal(close.args.replyCode, ReplyCode.ConnectionForced);
    assert.match(close.args.replyText, /broker connection lost/);
    client.closeOk();
    assert.equal(await client.closed, 1000);
    assert.equal(closesSeen(client).length, 1);
  } finally {
    client.terminate();
  }
});
