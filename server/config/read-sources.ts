import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigSource } from './config-error.js';
import { OPTIONS, envName, findOption, kebabName, type OptionSpec } from './options.js';

/** An option's value before parsing, with where it came from. */
export interface RawValue {
  /** Text from a flag or env var; from a JSON file also a number, boolean or array. */
  readonly value: unknown;
  readonly source: ConfigSource;
  /** `--port`, `WARREN_PORT`, `config.json: port` or `default`, for messages. */
  readonly origin: string;
}

/** True when argv asks for usage: `--help` or `-h`. Check it before {@link loadConfig}. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Values given as `--name value`, `--name=value`, `--flag` and `--no-flag`. */
export function readFlags(argv: readonly string[]): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      throw new ConfigError(arg, `unexpected argument '${arg}' (options start with --; see --help)`, {
        value: arg,
        source: 'flag',
      });
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    let spec = findOption(name);
    let value: string | undefined = equals === -1 ? undefined : arg.slice(equals + 1);
    if (spec === undefined && name.startsWith('no-')) {
      const negated = findOption(name.slice(3));
      if (negated?.kind === 'bool' && value === undefined) {
        spec = negated;
        value = 'false';
      }
    }
    if (spec === undefined) {
      throw new ConfigError(name, `unknown option --${name} (see --help)`, { source: 'flag' });
    }
    if (value === undefined) {
      if (spec.kind === 'bool') {
        value = 'true';
      } else {
        const next = argv[i + 1];
        if (next === undefined) {
          throw new ConfigError(spec.name, `--${spec.name} needs a value`, { source: 'flag' });
        }
        value = next;
        i++;
      }
    }
    values.set(spec.name, { value, source: 'flag', origin: `--${spec.name}` });
  }
  return values;
}

/** Values from `WARREN_<FLAG>` variables. Other `WARREN_*` variables are left alone: tools share the prefix. */
export function readEnv(env: NodeJS.ProcessEnv): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const spec of OPTIONS) {
    const variable = envName(spec.name);
    const value = env[variable];
    if (value !== undefined) values.set(spec.name, { value, source: 'env', origin: variable });
  }
  return values;
}

/** Values from a JSON object file whose keys are flag names, kebab-case or camelCase. */
export function readConfigFile(file: string): Map<string, RawValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError('config', `cannot read config file ${file}: ${(cause as Error).message}`, {
      value: file,
      cause,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('config', `config file ${file} must hold a JSON object`, { value: file, source: 'file' });
  }
  const values = new Map<string, RawValue>();
  for (const [key, value] of Object.entries(parsed)) {
    const spec: OptionSpec | undefined = findOption(kebabName(key));
    if (spec === undefined || spec.name === 'config') {
      throw new ConfigError(key, `unknown option '${key}' in config file ${file}`, { source: 'file' });
    }
    if (values.has(spec.name)) {
      throw new ConfigError(spec.name, `option '${spec.name}' appears twice in config file ${file}`, {
        source: 'file',
      });
    }
    values.set(spec.name, { value, source: 'file', origin: `${file}: ${key}` });
  }
  return values;
}
