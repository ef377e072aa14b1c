import type { Logger } from 'pino';
import { AuthError } from './auth/auth-errors.js';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier.js';
import { readBrokerCa } from './broker/broker-ca.js';
import { BrokerProbe } from './broker/broker-probe.js';
import type { GatewayConfig } from './config/index.js';
import { createLogger } from './observability/logger.js';
import { GatewayMetrics } from './observability/metrics.js';
import { SessionRegistry } from './session-registry.js';
import {
  Session,
  type SessionServices,
  type SessionSettings,
  type SessionToken,
  type TokenFailure,
} from './session/session.js';
import { createTokenAuthorizer } from './session/token-authorizer.js';
import type { HttpResponse, RequestInfo, Transport, TransportFactory } from './transport/transport.js';
import { decideUpgrade, type UpgradeContext, type UpgradeGateOptions } from './upgrade-gate.js';
import { VERSION } from './version.js';

export interface Gateway {
  /** The port actually bound (useful with `--port 0`). */
  readonly port: number;
  readonly metrics: GatewayMetrics;
  readonly sessions: SessionRegistry;
  /**
   * Stops accepting, closes every session with 320 CONNECTION_FORCED and waits
   * for their close-ok, at most `shutdownTimeoutMs`, then releases everything.
   */
  shutdown(): Promise<void>;
}

export interface GatewayOptions {
  readonly log?: Logger;
  /** Overrides the backend chosen by `config.transport` (tests). */
  readonly transportFactory?: TransportFactory;
  /**
   * Extra HTTP routes on the gateway's port (the demo serves its page and token
   * endpoint this way), consulted for GET and HEAD before the 404; `undefined`
   * falls through to it.
   */
  readonly extraRoutes?: (req: RequestInfo) => Promise<HttpResponse | undefined> | HttpResponse | undefined;
}

/** Starts a gateway with a validated configuration. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger(config.logLevel);
  const verifier = await createTokenVerifier(config.jwt);
  const metrics = new GatewayMetrics();
  const registry = new SessionRegistry(config);
  const probe = new BrokerProbe(config.brokers);
  const verifyToken = tokenChecker(verifier);
  const settings = sessionSettings(config);
  let draining = false;

  // One services object for every session: each event names its session.
  const services: SessionServices = {
    settings,
    log,
    verifyToken,
    authorizerFor: (token) =>
      createTokenAuthorizer(token, { prefix: config.scopePrefix, extraClaim: config.scopeClaim }),
    admit: (session, token) => registry.admit(session, token.subject),
    observe: (event, session) => {
      metrics.record(event);
      if (event.type === 'opened') registry.opened(session);
      if (event.type === 'ended') {
        registry.remove(session);
        metrics.sessionsOpen.dec();
      }
    },
  };
  const gate: UpgradeGateOptions = {
    path: config.path,
    allowedOrigins: config.allowedOrigins,
    trustedProxies: new Set(config.trustedProxies),
    tokenCookie: config.tokenCookie,
    registry,
    verifyToken,
    refused: (status, why) => {
      metrics.upgradesRefused.inc({ status: String(status) });
      if (status === 401) metrics.authFailures.inc({ reason: why });
    },
  };

  const transportFactory = options.transportFactory ?? (await loadTransport(config.transport, log));
  const transport: Transport = await transportFactory(
    {
      host: config.host,
      port: config.port,
      path: config.path,
      // A whole message (method, header, body frames) may come as one WebSocket message.
      maxMessageBytes: config.maxMessageSize + 2 * config.maxFrameSize,
      pingIntervalMs: config.pingIntervalMs,
      highWaterMark: settings.browserHighWaterMark,
      ...(config.tls ? { tls: { cert: config.tls.certFile, key: config.tls.keyFile } } : {}),
    },
    {
      http: (req) => route(req, { probe, metrics, draining: () => draining, extraRoutes: options.extraRoutes }),
      upgrade: (req, offered) => {
        if (draining)
          return Promise.resolve({ accept: false, status: 503, reason: 'Service Unavailable: shutting down' });
        return decideUpgrade(req, offered, gate);
      },
      open: (socket, context) => {
        const { clientIp, token } = context as UpgradeContext;
        const session = new Session(socket, services, token, clientIp);
        registry.add(session);
        metrics.sessionsOpen.inc();
        return session;
      },
    },
  );

  const port = await transport.listen();
  log.info(
    { port, path: config.path, transport: config.transport, brokers: config.brokers.map((b) => b.host) },
    'gateway listening',
  );

  return {
    port,
    metrics,
    sessions: registry,
    async shutdown() {
      if (draining) return;
      draining = true;
      log.info({ sessions: registry.size }, 'shutting down');
      await transport.stopAccepting();
      const closing = [...registry.all()].map((s) => s.shutdown());
      await Promise.race([Promise.all(closing), delay(config.shutdownTimeoutMs)]);
      transport.close();
      log.info('gateway stopped');
    },
  };
}

function sessionSettings(config: GatewayConfig): SessionSettings {
  // Both directions buffer the same before reading the other side stops: four frames, and at least 1 MiB.
  const highWaterMark = Math.max(config.maxFrameSize * 4, 1024 * 1024);
  return {
    version: VERSION,
    brokers: config.brokers,
    brokerAuth: config.brokerAuth,
    brokerCa: config.brokerCaFile === undefined ? undefined : readBrokerCa(config.brokerCaFile),
    brokerConnectTimeoutMs: 5000,
    brokerHeartbeatSec: config.heartbeatSec,
    maxFrameSize: config.maxFrameSize,
    maxChannels: config.maxChannels,
    heartbeatSec: config.heartbeatSec,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    maxMessageSize: config.maxMessageSize,
    maxPreauthFrameSize: config.maxPreauthFrameSize,
    publishRate: config.publishRate,
    identityHeader: config.identityHeader,
    tokenExpiryGraceMs: config.tokenExpiryGraceMs,
    closeTimeoutMs: Math.min(config.shutdownTimeoutMs, 5000),
    browserHighWaterMark: highWaterMark,
    brokerHighWaterMark: highWaterMark,
  };
}

function tokenChecker(verifier: TokenVerifier): (jwt: string) => Promise<SessionToken | TokenFailure> {
  return async (jwt) => {
    try {
      const token = await verifier.verify(jwt);
      return { subject: token.subject, expiresAt: token.expiresAt, jwt, claims: token.claims };
    } catch (err) {
      if (err instanceof AuthError) return { code: err.code, reason: err.reason };
      return { code: 'ERR_TOKEN_INVALID', reason: 'token could not be verified' };
    }
  };
}

async function route(
  req: RequestInfo,
  deps: {
    probe: BrokerProbe;
    metrics: GatewayMetrics;
    draining: () => boolean;
    extraRoutes: GatewayOptions['extraRoutes'];
  },
): Promise<HttpResponse> {
  const path = req.url.split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
  switch (path) {
    case '/healthz':
      return text(200, 'ok');
    case '/readyz':
      if (deps.draining()) return text(503, 'shutting down');
      return (await deps.probe.reachable()) ? text(200, 'ready') : text(503, 'no broker reachable');
    case '/metrics':
      return {
        status: 200,
        headers: { 'content-type': deps.metrics.registry.contentType },
        body: await deps.metrics.registry.metrics(),
      };
    default:
      return (await deps.extraRoutes?.(req)) ?? text(404, 'Not Found');
  }
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${body}\n` };
}

async function loadTransport(kind: 'ws' | 'uws', log: Logger): Promise<TransportFactory> {
  if (kind === 'uws') return (await import('./transport/uws-transport.js')).createUwsTransport;
  const ws = await import('./transport/ws-transport.js');
  if (!ws.masksNatively()) {
    log.warn(
      "bufferutil is not installed: ws unmasks browsers' messages in JavaScript, some 50 times slower (npm install bufferutil)",
    );
  }
  return ws.createWsTransport;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
