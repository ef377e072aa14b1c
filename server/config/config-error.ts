/** Where a configuration value came from, for error messages that send the operator to the right place. */
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

/**
 * A configuration the gateway refuses to start with: an unknown flag, a value
 * that does not parse, a missing or contradictory setting. `option` is the
 * flag name without dashes (`jwt-secret`); `value` is the offending text, or
 * undefined when the option is secret or absent.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_CONFIG' as const;
  readonly option: string;
  readonly value: string | undefined;
  readonly source: ConfigSource | undefined;

  constructor(
    option: string,
    message: string,
    options: { value?: string | undefined; source?: ConfigSource | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.option = option;
    this.value = options.value;
    this.source = options.source;
  }
}
