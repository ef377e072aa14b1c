import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { createUwsTransport } from '../../server/transport/uws-transport.js';
import { createWsTransport } from '../../server/transport/ws-transport.js';
import type { SocketHandler, TransportFactory } from '../../server/transport/transport.js';

const MESSAGES = 40;

const backends: [string, TransportFactory][] = [
  ['ws', createWsTransport],
  ['uws', createUwsTransport],
];

for (const [kind, createTransport] of backends) {
  test(`${kind}: messages that arrive in one read end in one messagesEnd, so they leave in one write`, async () => {
    const received: string[] = [];
    let ends = 0;
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const handler: SocketHandler = {
      message: (data) => void received.push(Buffer.from(data).toString()),
      messagesEnd: () => void ends++,
      drain: () => {},
      overrun: () => {},
      closed: () => {},
    };
    const transport = await createTransport(
      { host: '127.0.0.1', port: 0, path: '/', maxMessageBytes: 1 << 20, pingIntervalMs: 0, highWaterMark: 1 << 20 },
      {
        http: () => ({ status: 404, body: '' }),
        upgrade: () => Promise.resolve({ accept: true, protocol: undefined, context: undefined }),
        open: () => {
          opened();
          return handler;
        },
      },
    );
    const port = await transport.listen();
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    try {
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      await open;
      // One socket write carries every message, as when a page publishes in a loop.
      const socket = (client as unknown as { _socket: Socket })._socket;
      socket.cork();
      for (let i = 0; i < MESSAGES; i++) client.send(Buffer.from(`m${i}`));
      socket.uncork();
      const deadline = Date.now() + 5000;
      while (received.length < MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(
        received,
        Array.from({ length: MESSAGES }, (_, i) => `m${i}`),
      );
      // One read, short of the kernel splitting a few hundred bytes of loopback traffic.
      assert.ok(ends >= 1 && ends <= 3, `${ends} messagesEnd for ${MESSAGES} messages`);
    } finally {
      client.terminate();
      transport.close();
    }
  });
}
