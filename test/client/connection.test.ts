import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection, ErrorCode, WarrenError, connect } from '../../browser/index.js';
import { startBarePipe, type BarePipe } from '../helpers/bare-pipe.js';
import { NodeWebSocket, connectPipe, countingWebSocket, deferred, delay, nextEvent, uncaught } from './helpers.js';

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

test('a connection opens once: connect() again, while opening, once open or after close(), rejects ERR_INVALID_STATE', async () => {
  const sockets: unknown[] = [];
  const conn = new Connection({
    url: pipe.url,
    username: 'guest',
    token: 'guest',
    WebSocket: countingWebSocket(sockets),
  });
  const first = conn.connect();
  await assert.rejects(conn.connect(), { code: ErrorCode.InvalidState });
  assert.equal(await first, conn);
  await assert.rejects(conn.connect(), { code: ErrorCode.InvalidState });
  await conn.close();
  await assert.rejects(conn.connect(), { code: ErrorCode.InvalidState });
  assert.equal(sockets.length, 1);

  const neverOpened = new Connection({ url: pipe.url, token: 'guest', WebSocket: countingWebSocket(sockets) });
  await neverOpened.close();
  await assert.rejects(neverOpened.connect(), { code: ErrorCode.InvalidState });
  assert.equal(sockets.length, 1);
});

test('close() while connect() waits for the token: connect() rejects ERR_CLOSED and no socket opens', async () => {
  const sockets: unknown[] = [];
  const token = deferred<string>();
  const conn = new Connection({
    url: pipe.url,
    username: 'guest',
    token: () => token.promise,
    WebSocket: countingWebSocket(sockets),
  });
  const closes: unknown[] = [];
  conn.on('close', (err) => closes.push(err));
  const opening = conn.connect();
  await conn.close();
  token.resolve('guest');
  await assert.rejects(opening, { code: ErrorCode.Closed });
  await delay(100);
  assert.equal(sockets.length, 0);
  assert.deepEqual(closes, [undefined]);
  await assert.rejects(conn.channel(), { code: ErrorCode.Closed });
});

test('close() during the handshake: connect() rejects ERR_CLOSED and close fires once', async () => {
  const sockets: { readyState: number }[] = [];
  let closing: Promise<void> | undefined;
  // Right after the socket is made, long before the broker can answer.
  const WebSocket = countingWebSocket(sockets, () => queueMicrotask(() => (closing = conn.close())));
  const conn = new Connection({ url: pipe.url, username: 'guest', token: 'guest', WebSocket });
  const closes: unknown[] = [];
  conn.on('close', (err) => closes.push(err));
  await assert.rejects(conn.connect(), { code: ErrorCode.Closed });
  await closing;
  await delay(100);
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0]!.readyState, 3, 'the WebSocket is closed');
  assert.deepEqual(closes, [undefined]);
});

test('close() as the handshake completes: connect() rejects ERR_CLOSED and no heartbeat starts', async () => {
  const sockets: { readyState: number }[] = [];
  const OPEN_OK = Buffer.from([0, 10, 0, 41]); // connection.open-ok: class 10, method 41
  // Heard before the client reads the same message: close() runs before connect() resumes.
  const WebSocket = countingWebSocket(sockets, (ws) =>
    ws.addEventListener('message', ({ data }) => {
      if (Buffer.from(data as ArrayBuffer).includes(OPEN_OK)) queueMicrotask(() => void conn.close());
    }),
  );
  const conn = new Connection({ url: pipe.url, username: 'guest', token: 'guest', WebSocket, heartbeat: 1 });
  const closes: unknown[] = [];
  conn.on('close', (err) => closes.push(err));
  // A heartbeat timer left running would throw on its first tick, 500 ms in.
  const errors = await uncaught(() => assert.rejects(conn.connect(), { code: ErrorCode.Closed }), 1200);
  assert.deepEqual(errors, []);
  assert.deepEqual(closes, [undefined]);
  assert.equal(sockets.length, 1);
  assert.ok(sockets[0]!.readyState >= 2, 'the WebSocket is closing or closed');
});

test('close() while a reconnect waits for the token: no socket opens after it', async () => {
  const sockets: unknown[] = [];
  let token = deferred<string>();
  token.resolve('guest');
  let fetching = deferred<void>();
  const conn = await connectPipe(pipe, {
    token: () => {
      fetching.resolve();
      return token.promise;
    },
    WebSocket: countingWebSocket(sockets),
    reconnect: { initialDelay: 10, maxDelay: 10 },
  });
  const events: string[] = [];
  conn.on('reconnected', () => events.push('reconnected'));
  conn.on('close', () => events.push('close'));
  token = deferred<string>();
  fetching = deferred<void>();
  const reconnecting = nextEvent(conn, 'reconnecting');
  pipe.dropConnections();
  await reconnecting;
  await fetching.promise;
  await conn.close();
  token.resolve('guest');
  await delay(300);
  assert.equal(sockets.length, 1);
  assert.deepEqual(events, ['close']);
});
