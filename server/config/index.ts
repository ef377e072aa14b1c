/** The gateway's configuration: option table, parsing and validation. */
export { ConfigError, type ConfigSource } from './config-error.js';
export type { GatewayConfig, JwtConfig, LogLevel, TlsConfig } from './gateway-config.js';
export { helpText } from './help-text.js';
export { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, loadConfig } from './load-config.js';
export { OPTIONS, envName, findOption, type OptionKind, type OptionName, type OptionSpec } from './options.js';
export { wantsHelp } from './read-sources.js';
export { parseDuration, parseSize } from './units.js';
