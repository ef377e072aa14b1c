import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Cuts every proxied connection at once, as a broker host vanishing would. */
  cutAll(): void;
  /**
   * Stops reading what clients send towards the target, as a broker that stops
   * reading would (RabbitMQ under a resource alarm): the client's writes pile
   * up in its socket buffers. The other way keeps flowing. Applies to
   * connections made later too, until {@link TcpProxy.resumeReading}.
   */
  stopReading(): void;
  /** Reads and relays again what clients send towards the target. */
  resumeReading(): void;
  /**
   * Sends `bytes` to every client as though the target had sent them. Whole
   * AMQP frames only, and only while the target sends nothing, or they split its frames.
   */
  sendToClients(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** A TCP relay on a free local port to `target`, so a test can cut or stall a broker connection under a session. */
export async function startTcpProxy(
  target: { host: string; port: number },
  /** Sees every chunk a client sends towards the target. */
  tapToTarget?: (chunk: Buffer) => void,
): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let reading = true;
  const server = createServer((client) => {
    const upstream = connect(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (tapToTarget !== undefined) client.on('data', tapToTarget);
    if (reading) client.pipe(upstream);
    else client.pause();
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const cutAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port: address.port,
    cutAll,
    stopReading() {
      if (!reading) return;
      reading = false;
      // Unpiped, so a drain of the target side cannot set the client flowing again.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        client.pause();
      }
    },
    resumeReading() {
      if (reading) return;
      reading = true;
      // pipe() resumes the paused client.
      for (const [client, upstream] of pairs) client.pipe(upstream);
    },
    sendToClients(bytes) {
      for (const [client] of pairs) client.write(bytes);
    },
    close() {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
