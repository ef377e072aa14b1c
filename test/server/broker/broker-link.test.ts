import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeHeartbeat } from '../../../shared/index.js';
import { BrokerLink } from '../../../server/broker/broker-link.js';

/** An open link to the test broker, its socket's write buffer limited to `writableHighWaterMark` when given. */
async function openLink(writableHighWaterMark?: number): Promise<BrokerLink> {
  const link = await BrokerLink.connect({
    urls: [new URL('amqp://127.0.0.1:5672')],
    credentialsFor: () => ({ username: 'guest', password: 'guest' }),
    connectTimeoutMs: 5000,
    clientProperties: {},
    ...(writableHighWaterMark === undefined ? {} : { writableHighWaterMark }),
  });
  await link.openVhost('/', { ...link.tune, heartbeat: 0 });
  return link;
}

/** 600 KiB of heartbeats: more than Node's default write buffer, less than 1 MiB. */
const heartbeats = new Uint8Array(600 * 1024).map((_, i) => encodeHeartbeat()[i % 8]!);

test('the write buffer towards the broker holds what the link was opened with', async () => {
  const roomy = await openLink(1024 * 1024);
  const standard = await openLink();
  try {
    // Corked, the socket holds what is written: write() answers whether that is past the high-water mark.
    for (const link of [roomy, standard]) link.cork();
    assert.equal(roomy.write(heartbeats), true);
    assert.equal(standard.write(heartbeats), false, "Node's default is 16 KiB");
    for (const link of [roomy, standard]) link.uncork();
  } finally {
    roomy.destroy();
    standard.destroy();
  }
});
