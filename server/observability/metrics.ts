import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionEvent } from '../session/session.js';

/** The gateway's Prometheus metrics, in a registry of its own (several gateways can share a process). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly sessionsOpen = new Gauge({
    name: 'warren_sessions_open',
    help: 'Browser sessions currently connected',
    registers: [this.registry],
  });
  readonly sessionsEnded = new Counter({
    name: 'warren_sessions_total',
    help: 'Browser sessions ended, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'warren_auth_failures_total',
    help: 'Tokens refused, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly upgradesRefused = new Counter({
    name: 'warren_upgrades_refused_total',
    help: 'WebSocket upgrades refused, by HTTP status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly denied = new Counter({
    name: 'warren_denied_operations_total',
    help: 'AMQP operations refused by the token policy, by method',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  /** Traffic since the last scrape: plain sums on the hot path, moved into the counters when scraped. */
  private readonly traffic = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };
  readonly frames = new Counter({
    name: 'warren_frames_total',
    help: 'AMQP frames from browsers (in) and WebSocket messages to browsers (out)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
    collect: () => this.collectTraffic(),
  });
  readonly bytes = new Counter({
    name: 'warren_bytes_total',
    help: 'Bytes from browsers (in) and to browsers (out)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
    collect: () => this.collectTraffic(),
  });
  readonly backpressure = new Counter({
    name: 'warren_backpressure_pauses_total',
    help: 'Times a session stopped reading one side because the other could not keep up',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  readonly brokerConnect = new Histogram({
    name: 'warren_broker_connect_seconds',
    help: 'Time to connect and authenticate to the broker',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly handshake = new Histogram({
    name: 'warren_handshake_seconds',
    help: 'Time from WebSocket open to connection.open-ok',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'warren_broker_failovers_total',
    help: 'Broker URLs that failed and made a session try the next one',
    registers: [this.registry],
  });

  private readonly framesIn = this.frames.labels({ direction: 'in' });
  private readonly framesOut = this.frames.labels({ direction: 'out' });
  private readonly bytesIn = this.bytes.labels({ direction: 'in' });
  private readonly bytesOut = this.bytes.labels({ direction: 'out' });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'warren_' });
  }

  private collectTraffic(): void {
    const t = this.traffic;
    if (t.framesIn > 0) this.framesIn.inc(t.framesIn);
    if (t.framesOut > 0) this.framesOut.inc(t.framesOut);
    if (t.bytesIn > 0) this.bytesIn.inc(t.bytesIn);
    if (t.bytesOut > 0) this.bytesOut.inc(t.bytesOut);
    t.framesIn = t.framesOut = t.bytesIn = t.bytesOut = 0;
  }

  /** Folds one session event into the metrics. */
  record(event: SessionEvent): void {
    switch (event.type) {
      case 'traffic':
        if (event.direction === 'in') {
          this.traffic.framesIn += event.frames;
          this.traffic.bytesIn += event.bytes;
        } else {
          this.traffic.framesOut += event.frames;
          this.traffic.bytesOut += event.bytes;
        }
        return;
      case 'auth-failed':
        return this.authFailures.inc({ reason: event.code });
      case 'broker-connected':
        return this.brokerConnect.observe(event.ms / 1000);
      case 'broker-failover':
        return this.failovers.inc();
      case 'opened':
        return this.handshake.observe(event.handshakeMs / 1000);
      case 'denied':
        return this.denied.inc({ method: event.method });
      case 'backpressure':
        return this.backpressure.inc({ direction: event.direction });
      case 'ended':
        return this.sessionsEnded.inc({ outcome: event.outcome });
    }
  }
}
