import { ConfigError } from './config-error.js';

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// KB/MB/GB are decimal (SI), KiB/MiB/GiB binary (IEC), so "64KB" means what it says.
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const NUMBER_WITH_UNIT = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/;

/**
 * Parses a duration with a unit — `500ms`, `10s`, `2m`, `1h`, `1.5s` — into
 * whole milliseconds. A bare `0` is accepted; any other bare number is refused,
 * because "10" could mean seconds or milliseconds.
 *
 * @throws {ConfigError} `ERR_CONFIG` naming `option` when the text does not parse.
 */
export function parseDuration(text: string, option = 'duration'): number {
  const match = NUMBER_WITH_UNIT.exec(text.trim());
  if (match === null) {
    throw new ConfigError(option, `${option}: '${text}' is not a duration (use 500ms, 10s, 2m or 1h)`, {
      value: text,
    });
  }
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  if (unit === '') {
    if (amount === 0) return 0;
    throw new ConfigError(option, `${option}: '${text}' needs a unit (ms, s, m or h)`, { value: text });
  }
  const factor = DURATION_UNITS[unit];
  if (factor === undefined) {
    throw new ConfigError(option, `${option}: unknown duration unit '${match[2]}' in '${text}'`, { value: text });
  }
  return toWholeNumber(amount * factor, option, text, 'milliseconds');
}

/**
 * Parses a size — bytes (`4096`) or a unit (`64KiB`, `16MiB`, `1GiB`, `64KB`) —
 * into bytes. Units are case-insensitive; KB/MB/GB are powers of 1000,
 * KiB/MiB/GiB powers of 1024.
 *
 * @throws {ConfigError} `ERR_CONFIG` naming `option` when the text does not parse.
 */
export function parseSize(text: string, option = 'size'): number {
  const match = NUMBER_WITH_UNIT.exec(text.trim());
  if (match === null) {
    throw new ConfigError(option, `${option}: '${text}' is not a size (use bytes, or 64KiB, 16MiB, 1GiB)`, {
      value: text,
    });
  }
  const amount = Number(match[1]);
  const factor = SIZE_UNITS[(match[2] ?? 'b').toLowerCase() || 'b'];
  if (factor === undefined) {
    throw new ConfigError(option, `${option}: unknown size unit '${match[2]}' in '${text}'`, { value: text });
  }
  return toWholeNumber(amount * factor, option, text, 'bytes');
}

function toWholeNumber(value: number, option: string, text: string, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(option, `${option}: '${text}' is not a whole number of ${what}`, { value: text });
  }
  return value;
}
