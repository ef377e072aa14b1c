import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestGateway } from '../helpers/gateway.js';
import { metricValue } from '../helpers/http.js';
import { RawClient } from '../helpers/raw-client.js';

const UPGRADES = 1000;
const AT_ONCE = 250;

test(`${UPGRADES} upgrades that never send the protocol header are closed by the timeout and open no broker connection`, async () => {
  const gw = await startTestGateway([
    '--handshake-timeout',
    '500ms',
    '--max-handshakes',
    String(UPGRADES * 2),
    '--max-sessions-per-ip',
    String(UPGRADES * 2),
  ]);
  try {
    const codes: Promise<number>[] = [];
    for (let i = 0; i < UPGRADES; i += AT_ONCE) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(AT_ONCE, UPGRADES - i) }, () => RawClient.connect(gw.url)),
      );
      codes.push(...batch.map((client) => client.closed));
    }
    const closed = await Promise.all(codes);
    assert.deepEqual(new Set(closed), new Set([1008]));
    assert.equal(await metricValue(gw.port, 'warren_sessions_total{outcome="handshake-timeout"}'), UPGRADES);
    assert.equal(await metricValue(gw.port, 'warren_broker_connect_seconds_count'), 0);
    assert.equal(await metricValue(gw.port, 'warren_sessions_open'), 0);
    assert.equal(gw.gateway.sessions.size, 0);
  } finally {
    await gw.stop();
  }
});
