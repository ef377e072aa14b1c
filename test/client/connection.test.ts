import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection, ErrorCode, WarrenError, connect } from '../../browser/index.js';
import { startBarePipe, type BarePipe } from '../helpers/bare-pipe.js';
import { NodeWebSocket, connectPipe } from './helpers.js';

let pipe: BarePipe;
before(async () => {
  pipe = await startBarePipe();
});
after(() => pipe.close());

test('connects, opens a channel, and closes cleanly with open and close events', async () => {
  const conn = new Connection({ url: pipe.url, username: 'guest', token: 'guest', WebSocket: NodeWebSocket });
  const events: string[] = [];
  conn.on('open', () => events.push('open'));
  conn.on('close', (err) => events.push(`close:${err?.code ?? 'none'}`));
  await conn.connect();
  const ch = await conn.channel();
  assert.equal(ch.id, 1);
  assert.equal((await conn.channel()).id, 2);
  await conn.close();
  assert.deepEqual(events, ['open', 'close:none']);
  await assert.rejects(conn.channel(), { code: ErrorCode.Closed });
});

test('a token function supplies the password', async () => {
  let calls = 0;
  const conn = await connectPipe(pipe, {
    token: async () => {
      calls++;
      return 'guest';
    },
  });
  assert.equal(calls, 1);
  await conn.close();
});

test('a wrong password is refused with 403 ACCESS_REFUSED', async () => {
  const err = await connectPipe(pipe, { token: 'wrong' }).catch((e: unknown) => e);
  assert.ok(err instanceof WarrenError);
  assert.equal(err.code, ErrorCode.ConnectionClosed);
  assert.equal(err.replyCode, 403);
});

test('an unknown vhost is refused with 530 NOT_ALLOWED', async () => {
  await assert.rejects(connectPipe(pipe, { vhost: 'no-such-vhost' }), {
    code: ErrorCode.ConnectionClosed,
    replyCode: 530,
  });
});

test('nothing listening: the first connect rejects with ERR_CONNECTION_LOST', async () => {
  const gone = await startBarePipe();
  await gone.close();
  await assert.rejects(connectPipe(gone), { code: ErrorCode.ConnectionLost });
});

test('without a WebSocket class, connect rejects with ERR_NO_WEBSOCKET', async () => {
  // Node 22 has a global WebSocket; hide it so the test means the same everywhere.
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  delete g.WebSocket;
  try {
    await assert.rejects(connect({ url: pipe.url, token: 'guest' }), { code: ErrorCode.NoWebSocket });
  } finally {
    if (saved !== undefined) g.WebSocket = saved;
  }
});
