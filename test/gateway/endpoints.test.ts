import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { httpGet, metricValue } from '../helpers/http.js';
import { authenticate, handshake, RawClient, tuneOkOpenBytes, UpgradeRefused } from '../helpers/raw-client.js';

const DEAD_BROKER = 'amqp://guest:guest@127.0.0.1:1';
const LIVE_BROKER = 'amqp://guest:guest@127.0.0.1:5672';
const PAGE = 'https://app.warren.test';

let gw: TestGateway;
let deadGw: TestGateway;
before(async () => {
  gw = await startTestGateway(['--allowed-origins', PAGE]);
  deadGw = await startTestGateway(['--broker', DEAD_BROKER]);
});
after(async () => {
  await gw.stop();
  await deadGw.stop();
});

function refusedWith(status: number) {
  return (err: unknown) => err instanceof UpgradeRefused && err.status === status;
}

test('a vhost the token does not grant is refused with connection.close 530', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    const tune = await authenticate(client, await gw.token());
    assert.equal(tune.name, 'connection.tune');
    client.send(tuneOkOpenBytes('/not-granted'));
    const close = await client.waitFor('connection.close');
    assert.equal(close.args.replyCode, ReplyCode.NotAllowed);
    assert.equal(close.args.classId, 10);
    assert.equal(close.args.methodId, 40);
  } finally {
    client.terminate();
  }
});

test('origins: the allowed page gets in, another is refused with 403, a non-browser client passes', async () => {
  const allowed = await RawClient.connect(gw.url, { headers: { origin: PAGE } });
  allowed.terminate();
  await assert.rejects(RawClient.connect(gw.url, { headers: { origin: 'https://evil.test' } }), refusedWith(403));
  await assert.rejects(RawClient.connect(gw.url, { headers: { origin: `${PAGE}:8443` } }), refusedWith(403));
  const noOrigin = await RawClient.connect(gw.url);
  noOrigin.terminate();
});

test('an unknown path is 404, as a WebSocket and as plain HTTP', async () => {
  await assert.rejects(RawClient.connect(`ws://127.0.0.1:${gw.port}/elsewhere`), refusedWith(404));
  assert.equal((await httpGet(gw.port, '/nope')).status, 404);
});

test('/healthz is 200; /readyz is 200 with a broker and 503 without', async () => {
  assert.equal((await httpGet(gw.port, '/healthz')).status, 200);
  assert.equal((await httpGet(deadGw.port, '/healthz')).status, 200);
  assert.equal((await httpGet(gw.port, '/readyz')).status, 200);
  assert.equal((await httpGet(deadGw.port, '/readyz')).status, 503);
});

test('with no broker reachable a session gets connection.close 541 saying so', async () => {
  const client = await RawClient.connect(deadGw.url);
  try {
    const close = await authenticate(client, await deadGw.token());
    assert.equal(close.name, 'connection.close');
    assert.equal(close.args.replyCode, ReplyCode.InternalError);
    assert.match(close.args.replyText, /no broker reachable/);
    client.closeOk();
    assert.equal(await client.closed, 1000);
  } finally {
    client.terminate();
  }
});

test('with the first broker URL dead, the second is used', async () => {
  const failover = await startTestGateway(['--broker', `${DEAD_BROKER},${LIVE_BROKER}`]);
  const client = await RawClient.connect(failover.url);
  try {
    await handshake(client, await failover.token());
    assert.equal(await metricValue(failover.port, 'warren_broker_failovers_total'), 1);
    assert.equal((await httpGet(failover.port, '/readyz')).status, 200);
  } finally {
    client.terminate();
    await failover.stop();
  }
});
