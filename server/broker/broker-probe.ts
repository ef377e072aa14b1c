import { connect } from 'node:net';

/**
 * Answers "is a broker reachable?" for /readyz: a TCP connect to each broker
 * in turn, cached briefly so a busy probe endpoint does not hammer the broker.
 */
export class BrokerProbe {
  private last: { at: number; ok: boolean } | undefined;
  private inFlight: Promise<boolean> | undefined;

  constructor(
    private readonly brokers: readonly URL[],
    private readonly timeoutMs = 1000,
    private readonly cacheMs = 1000,
  ) {}

  reachable(): Promise<boolean> {
    const last = this.last;
    if (last !== undefined && Date.now() - last.at < this.cacheMs) return Promise.resolve(last.ok);
    this.inFlight ??= this.check().then((ok) => {
      this.last = { at: Date.now(), ok };
      this.inFlight = undefined;
      return ok;
    });
    return this.inFlight;
  }

  private async check(): Promise<boolean> {
    for (const url of this.brokers) {
      if (await this.tcpReachable(url)) return true;
    }
    return false;
  }

  private tcpReachable(url: URL): Promise<boolean> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? (url.protocol === 'amqps:' ? 5671 : 5672) : Number(url.port);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (ok: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), this.timeoutMs);
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }
}
