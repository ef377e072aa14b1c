import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { BrokerError } from './broker-errors.js';
import { ReadBuffer, READ_SIZE, TLS_RECORD_SIZE } from './read-buffer.js';

/** Where a broker socket's reads go: the handshake, then the link. */
export interface ChunkReader {
  /**
   * One chunk read; `shared` when its memory is read into for other sockets
   * too, `full` when it filled what one read takes, so the socket is streaming
   * (see ReadBuffer). True when something still refers to its bytes, so that
   * memory must not be read into again.
   */
  read(chunk: Uint8Array, shared: boolean, full: boolean): boolean;
  /**
   * Bytes at the end of the last chunk that `read` left unread (the start of a
   * frame, after a full read only): the next chunk begins with them (see ReadBuffer).
   */
  readonly leftover?: number;
}

/** Whom a socket's reads go to, and where they go into. */
const READER = Symbol('warren.brokerReader');
const READS = Symbol('warren.brokerReads');
type ReadingSocket = Socket & { [READER]: ChunkReader; [READS]: ReadBuffer };

function onBrokerRead(this: ReadingSocket, nread: number): boolean {
  const reads = this[READS];
  const reader = this[READER];
  const held = reader.read(reads.chunk(nread), reads.shared, reads.full(nread));
  reads.advance(nread, held, reader.leftover);
  // False would stop reading; the link pauses the socket itself.
  return true;
}

/** Errors are followed by 'close', which the handshake or the link handles; a shared listener costs no closure. */
function ignoreError(): void {}

/** What opening a broker socket needs of the link's options. */
export interface BrokerSocketOptions {
  readonly connectTimeoutMs: number;
  /** Bytes waiting to be written above which `write` returns false (Node's default: 16 KiB). */
  readonly writableHighWaterMark?: number | undefined;
  /** CA bundle for amqps:// URLs. */
  readonly ca?: string | Buffer | undefined;
}

/** Sends `socket`'s reads, from now on, to `reader` (the handshake's, then the link's). */
export function readInto(socket: Socket, reader: ChunkReader): void {
  (socket as ReadingSocket)[READER] = reader;
}

/** Lets `socket`'s reader leave up to `bytes` of an unfinished frame to the next read (see ReadBuffer). */
export function carryUpTo(socket: Socket, bytes: number): void {
  (socket as ReadingSocket)[READS].maxCarry = bytes;
}

/**
 * Connects to `url` (amqp:// or amqps://); resolves once connected. Its reads go
 * nowhere until {@link readInto} names a reader. Errors after that are followed
 * by 'close', which the reader's owner handles.
 */
export function openBrokerSocket(url: URL, options: BrokerSocketOptions): Promise<Socket> {
  const tls = url.protocol === 'amqps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (tls ? 5671 : 5672) : Number(url.port);
  return new Promise((resolve, reject) => {
    // Reads go into memory of the gateway's choosing (see ReadBuffer); TLS decrypts into it.
    const reads = new ReadBuffer(tls ? TLS_RECORD_SIZE : READ_SIZE);
    // @types/node leaves out two options Node takes: tls.connect's `onread` (net.connect's has it),
    // and writableHighWaterMark, which a socket passes on to stream.Duplex.
    const common = {
      host,
      port,
      writableHighWaterMark: options.writableHighWaterMark,
      onread: { buffer: reads.next, callback: onBrokerRead },
    } as { host: string; port: number };
    const socket = tls ? tlsConnect({ ...common, servername: host, ca: options.ca }) : netConnect(common);
    (socket as ReadingSocket)[READS] = reads;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(BrokerError.unreachable(`connect to ${host}:${port} timed out`));
    }, options.connectTimeoutMs);
    const failed = (err: Error): void => {
      clearTimeout(timer);
      reject(BrokerError.unreachable(`${host}:${port}: ${err.message}`, err));
    };
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      // off(), not removeAllListeners('error'): that deletes the key from the socket's listener
      // table, which turns it into a dictionary (about 450 B instead of 130 B, kept for the session).
      socket.off('error', failed);
      resolve(socket);
    });
    socket.once('error', failed);
    socket.on('error', ignoreError);
  });
}
