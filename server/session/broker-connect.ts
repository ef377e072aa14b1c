import type { FieldTable } from '../../shared/index.js';
import { BrokerLink } from '../broker/broker-link.js';
import type { SessionSettings, SessionToken } from './session-types.js';

/**
 * Opens a session's broker connection, up to connection.tune: with the
 * gateway's own account from the broker URL (`service`), or with the session's
 * JWT as the PLAIN password (`passthrough`, for a broker with an OAuth2
 * backend). The user name sent in passthrough is the token's `sub`: an OAuth2
 * backend ignores it, and it names the connection's user for any other.
 */
export function connectBroker(
  settings: SessionSettings,
  token: SessionToken,
  clientProperties: FieldTable,
  hooks: { failover(url: URL, err: Error): void },
): Promise<BrokerLink> {
  return BrokerLink.connect({
    urls: settings.brokers,
    credentialsFor: (url) =>
      settings.brokerAuth === 'passthrough'
        ? { username: token.subject, password: token.jwt }
        : {
            username: decodeURIComponent(url.username || 'guest'),
            password: decodeURIComponent(url.password || 'guest'),
          },
    connectTimeoutMs: settings.brokerConnectTimeoutMs,
    writableHighWaterMark: settings.brokerHighWaterMark,
    clientProperties,
    ca: settings.brokerCa,
    onFailover: hooks.failover,
  });
}
