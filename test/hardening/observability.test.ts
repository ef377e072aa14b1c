import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { FrameWriter, ReplyCode } from '../../shared/index.js';
import { eventually } from '../helpers/broker.js';
import { signToken, startTestGateway } from '../helpers/gateway.js';
import { httpGet } from '../helpers/http.js';
import { authenticate, handshake, openChannelWithQueue, RawClient } from '../helpers/raw-client.js';
import { publishBytes, uniqueSubject } from './hardening-helpers.js';

/** Log lines the gateway writes for itself rather than for one session. */
const GATEWAY_LINES = new Set(['gateway listening', 'shutting down', 'gateway stopped']);

interface LogLine {
  readonly msg?: string;
  readonly session?: string;
  readonly [key: string]: unknown;
}

function captureLogs(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

test('/metrics and the logs after an auth failure, a denied operation and some traffic', async () => {
  const { log, lines } = captureLogs();
  const gw = await startTestGateway([], { log });
  const tokens: string[] = [];
  try {
    // 1. A token signed with another secret: 403 at start-ok.
    const forged = await signToken('x'.repeat(64), { sub: uniqueSubject('forged') });
    tokens.push(forged);
    const bad = await RawClient.connect(gw.url);
    const refused = await authenticate(bad, forged);
    assert.equal(refused.name === 'connection.close' && refused.args.replyCode, ReplyCode.AccessRefused);
    bad.closeOk();
    await bad.closed;

    // 2. A token that may only read one queue declares an exchange: refused 403 on the channel.
    const narrow = await gw.token({ sub: uniqueSubject('narrow'), scope: 'rabbitmq.read:%2F/only-this' });
    tokens.push(narrow);
    const denied = await RawClient.connect(gw.url);
    await handshake(denied, narrow);
    denied.send(
      new FrameWriter()
        .method(1, { name: 'channel.open', args: {} })
        .method(1, {
          name: 'exchange.declare',
          args: {
            exchange: 'warren-test-denied',
            type: 'fanout',
            passive: false,
            durable: false,
            autoDelete: true,
            internal: false,
            noWait: false,
            arguments: {},
          },
        })
        .take(),
    );
    assert.equal((await denied.waitFor('channel.close')).args.replyCode, ReplyCode.AccessRefused);
    denied.terminate();

    // 3. Traffic, with the token in the upgrade URL (where a careless log would print it).
    const full = await gw.token({ sub: uniqueSubject('traffic') });
    tokens.push(full);
    const busy = await RawClient.connect(`${gw.url}?access_token=${full}`);
    await handshake(busy, full);
    const queue = uniqueSubject('warren-test-hardening');
    await openChannelWithQueue(busy, queue, 1);
    busy.send(publishBytes(1, queue, new Uint8Array(10_000)));
    busy.send(new FrameWriter().method(1, { name: 'basic.get', args: { queue, noAck: true } }).take());
    await busy.waitFor('basic.getOk');
    busy.send(
      new FrameWriter()
        .method(0, {
          name: 'connection.close',
          args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 },
        })
        .take(),
    );
    await busy.waitFor('connection.closeOk');
    await busy.closed;

    // The terminated session ends when the gateway sees its socket go.
    assert.ok(await eventually(() => Promise.resolve(gw.gateway.sessions.size === 0)));
    const { status, body } = await httpGet(gw.port, '/metrics');
    assert.equal(status, 200);
    const value = (sample: string) => {
      const line = body.split('\n').find((l) => l.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    };
    assert.ok(value('warren_sessions_total{outcome="auth-failed"}')! >= 1, body);
    assert.ok(value('warren_sessions_total{outcome="browser-closed"}')! >= 1, body);
    assert.match(body, /^warren_auth_failures_total\{reason="ERR_[A-Z_]+"\} 1$/m);
    assert.equal(value('warren_denied_operations_total{method="exchange.declare"}'), 1);
    for (const direction of ['in', 'out']) {
      assert.ok(value(`warren_frames_total{direction="${direction}"}`)! > 0, body);
      assert.ok(value(`warren_bytes_total{direction="${direction}"}`)! > 10_000, body);
    }
    assert.equal(value('warren_broker_connect_seconds_count'), 2);
    assert.equal(value('warren_handshake_seconds_count'), 2);
    assert.match(body, /^warren_broker_connect_seconds_bucket\{le="\+Inf"\} 2$/m);
    assert.match(body, /^warren_sessions_open 0$/m);
  } finally {
    await gw.stop();
  }

  const parsed = lines.map((l) => JSON.parse(l) as LogLine);
  const sessionLines = parsed.filter((l) => !GATEWAY_LINES.has(l.msg ?? ''));
  assert.ok(sessionLines.length >= 6, `only ${sessionLines.length} session lines`);
  for (const line of sessionLines) assert.equal(typeof line.session, 'string', JSON.stringify(line));
  const messages = new Set(sessionLines.map((l) => l.msg));
  for (const expected of ['token refused', 'operation refused', 'session open', 'session ended']) {
    assert.ok(messages.has(expected), `no '${expected}' line`);
  }
  for (const token of tokens) {
    const signature = token.split('.')[2]!;
    for (const line of lines) assert.ok(!line.includes(signature), 'a log line carries a token');
  }
});
