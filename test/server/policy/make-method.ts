import { methodInfoByName, type Method, type MethodName, type MethodOf } from '../../../shared/index.js';

const DEFAULTS: Readonly<Record<string, unknown>> = {
  octet: 0,
  short: 0,
  long: 0,
  longlong: 0,
  bit: false,
  shortstr: '',
  longstr: '',
};

/** A method with every argument at its zero value except `overrides`; reserved arguments are left out. */
export function makeMethod<N extends MethodName>(name: N, overrides: Partial<MethodOf<N>['args']> = {}): Method {
  const args: Record<string, unknown> = {};
  for (const arg of methodInfoByName(name).args) {
    if (arg.type.startsWith('reserved')) continue;
    args[arg.name] = arg.type === 'table' ? {} : DEFAULTS[arg.type];
  }
  return { name, args: { ...args, ...overrides } } as Method;
}
