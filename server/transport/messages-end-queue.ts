import type { SocketHandler } from './transport.js';

/** A socket whose handler hears `messagesEnd`. */
interface HandledSocket {
  readonly handler: SocketHandler | undefined;
}

/**
 * Tells each socket that received messages, once, that the messages of this
 * read have all been handed over (`SocketHandler.messagesEnd`), so that what
 * they produced leaves in one write: a client that publishes in a loop sends
 * dozens of messages per read, and a write each would cost the gateway and the
 * broker a syscall and a TCP segment each. `schedule` runs the ends after the
 * backend has delivered a read's messages; a lone message waits for nothing
 * else. One queue for all sockets, so a socket costs no closure for it.
 */
export class MessagesEndQueue {
  private pending = new Set<HandledSocket>();

  constructor(private readonly schedule: (run: () => void) => void) {}

  /** `socket` received a message. */
  add(socket: HandledSocket): void {
    if (this.pending.size === 0) this.schedule(this.run);
    this.pending.add(socket);
  }

  private readonly run = (): void => {
    const batch = this.pending;
    this.pending = new Set();
    for (const socket of batch) {
      try {
        socket.handler?.messagesEnd();
      } catch (err) {
        // One session's failure must not leave the others' messages unflushed; it still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
}
