import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { masksNatively } from '../../server/transport/ws-transport.js';
import { startTestGateway } from '../helpers/gateway.js';

const WARNING = /bufferutil is not installed/;

/** The lines a gateway logs while it starts and stops (ws backend). */
async function startupLog(): Promise<string> {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const gw = await startTestGateway(['--transport', 'ws'], { log: pino({ level: 'info' }, stream) });
  await gw.stop();
  return text;
}

test('the ws backend unmasks natively: bufferutil, an optional dependency, loads here', async () => {
  assert.equal(masksNatively(), true);
  assert.doesNotMatch(await startupLog(), WARNING);
});

test('without native masking (WS_NO_BUFFER_UTIL), the gateway warns at start', async () => {
  process.env['WS_NO_BUFFER_UTIL'] = '1';
  try {
    assert.equal(masksNatively(), false);
    assert.match(await startupLog(), WARNING);
  } finally {
    delete process.env['WS_NO_BUFFER_UTIL'];
  }
});
