import { ConfigError } from './config-error.js';
import type { OptionSpec } from './options.js';
import type { RawValue } from './read-sources.js';
import { parseDuration, parseSize } from './units.js';

/** A parsed option value: numbers for int/size/duration (ms), booleans, strings, string lists. */
export type OptionValue = string | number | boolean | readonly string[];

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Parses one raw value by its option's kind and checks its bounds.
 *
 * @throws {ConfigError} naming the option and where the value came from.
 */
export function parseOptionValue(spec: OptionSpec, raw: RawValue): OptionValue {
  const fail = (why: string, cause?: unknown): never => {
    const shown = spec.secret === true ? undefined : display(raw.value);
    throw new ConfigError(spec.name, `${raw.origin}: ${why}${shown === undefined ? '' : ` (got '${shown}')`}`, {
      value: shown,
      source: raw.source,
      cause,
    });
  };
  const value = raw.value;
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return fail('must be a string');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !(spec.choices ?? []).includes(value)) {
        return fail(`must be one of ${(spec.choices ?? []).join(', ')}`);
      }
      return value;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && TRUE_WORDS.has(value.toLowerCase())) return true;
      if (typeof value === 'string' && FALSE_WORDS.has(value.toLowerCase())) return false;
      return fail('must be true or false');
    case 'list':
      if (Array.isArray(value)) {
        if (!value.every((item): item is string => typeof item === 'string')) return fail('must be a list of strings');
        return value.map((item) => item.trim()).filter((item) => item !== '');
      }
      if (typeof value !== 'string') return fail('must be a comma-separated list');
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'int': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d+$/.test(value.trim())
            ? Number(value)
            : NaN;
      if (!Number.isSafeInteger(number)) return fail('must be a whole number');
      return bounded(spec, number, fail);
    }
    case 'size':
    case 'duration': {
      if (spec.kind === 'size' && typeof value === 'number') return bounded(spec, value, fail);
      if (typeof value !== 'string')
        return fail(spec.kind === 'size' ? 'must be a size' : 'must be a duration with a unit');
      try {
        const number = spec.kind === 'size' ? parseSize(value, spec.name) : parseDuration(value, spec.name);
        return bounded(spec, number, fail);
      } catch (cause) {
        if (cause instanceof ConfigError) return fail(cause.message.replace(`${spec.name}: `, ''), cause);
        throw cause;
      }
    }
  }
}

function bounded(spec: OptionSpec, number: number, fail: (why: string) => never): number {
  if (!Number.isSafeInteger(number)) return fail('must be a whole number');
  const unit = spec.kind === 'duration' ? ' ms' : spec.kind === 'size' ? ' bytes' : '';
  if (spec.min !== undefined && number < spec.min) return fail(`must be at least ${spec.min}${unit}`);
  if (spec.max !== undefined && number > spec.max) return fail(`must be at most ${spec.max}${unit}`);
  return number;
}

function display(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
