import type { FieldTable } from './field-value.js';
import type { ArgType, SPEC } from './spec.js';

type Spec = typeof SPEC;
type ClassName = keyof Spec;

type ValueOf<T extends ArgType> = T extends 'octet' | 'short' | 'long' | 'longlong'
  ? number
  : T extends 'bit'
    ? boolean
    : T extends 'shortstr' | 'longstr'
      ? string
      : T extends 'table'
        ? FieldTable
        : never;

type ArgsOf<A> = {
  -readonly [K in keyof A as A[K] extends `reserved${string}` ? never : K]: A[K] extends ArgType
    ? ValueOf<A[K]>
    : never;
};

/** Every method, named `class.method` in camelCase: `'basic.publish'`, `'connection.updateSecret'`. */
export type MethodName = {
  [C in ClassName]: `${C}.${keyof Spec[C]['methods'] & string}`;
}[ClassName];

type MethodDef<N extends MethodName> = N extends `${infer C extends ClassName}.${infer M}`
  ? M extends keyof Spec[C]['methods']
    ? Spec[C]['methods'][M]
    : never
  : never;

/** The arguments of method `N`, reserved ones left out. */
export type MethodArgs<N extends MethodName> = ArgsOf<MethodDef<N> extends { args: infer A } ? A : never>;

/** One decoded method; a `switch (m.name)` narrows `m.args` and is checked for exhaustiveness. */
export type Method = { [N in MethodName]: { name: N; args: MethodArgs<N> } }[MethodName];

/** The method named `N`. */
export type MethodOf<N extends MethodName> = Extract<Method, { name: N }>;
