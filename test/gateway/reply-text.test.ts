import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeUtf8, FrameWriter, ReplyCode } from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handshake, RawClient } from '../helpers/raw-client.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.stop();
});

test('a refusal whose reply text would pass 255 bytes in UTF-8 is cut at a character boundary', async () => {
  // 60 × 'ü' is 120 bytes, 120 × 'é' 240: the 406 text naming both is over 255 bytes but under 255 characters.
  const client = await RawClient.connect(gw.url);
  try {
    await handshake(client, await gw.token({ sub: 'ü'.repeat(60) }));
    client.send(
      new FrameWriter()
        .method(1, { name: 'channel.open', args: {} })
        .method(1, {
          name: 'basic.publish',
          args: { exchange: '', routingKey: 'nowhere', mandatory: false, immediate: false },
        })
        .header(1, 0, { userId: 'é'.repeat(120) })
        .take(),
    );
    const close = await client.waitFor('channel.close');
    assert.equal(close.args.replyCode, ReplyCode.PreconditionFailed);
    assert.ok(encodeUtf8(close.args.replyText).length <= 255);
    assert.ok(!close.args.replyText.includes('\uFFFD'), 'no character was cut in half');
  } finally {
    client.terminate();
  }
});
