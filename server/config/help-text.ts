import { OPTIONS, envName, type OptionSpec } from './options.js';

/** Usage text for `--help`, generated from the option table. */
export function helpText(): string {
  const rows = OPTIONS.map((spec: OptionSpec) => {
    const placeholder = spec.kind === 'bool' ? '' : ` ${spec.placeholder ?? placeholderOf(spec)}`;
    const def = spec.default === undefined ? '' : ` [default: ${spec.default === '' ? 'none' : spec.default}]`;
    return { flag: `--${spec.name}${placeholder}`, text: `${spec.help}${def}; env ${envName(spec.name)}` };
  });
  const width = Math.max(...rows.map((row) => row.flag.length)) + 2;
  return [
    'Usage: warren [options]',
    '',
    'AMQP 0-9-1 over WebSocket gateway. Every option also reads from WARREN_<OPTION>',
    'and from the --config JSON file; flags win over env, env over the file.',
    'Durations take a unit (500ms, 10s, 2m, 1h); sizes take bytes or a unit (64KiB, 16MiB).',
    '',
    ...rows.map((row) => `  ${row.flag.padEnd(width)}${row.text}`),
    `  ${'--help'.padEnd(width)}show this text`,
    '',
  ].join('\n');
}

function placeholderOf(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'enum':
      return (spec.choices ?? []).join('|');
    case 'int':
      return 'N';
    case 'duration':
      return 'DURATION';
    case 'size':
      return 'SIZE';
    case 'list':
      return 'A[,B…]';
    default:
      return 'VALUE';
  }
}
