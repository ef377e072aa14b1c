/**
 * A scope's wildcard pattern: `*` matches any run of characters (also none),
 * everything else is literal. Compiled once to an anchored RegExp.
 */
export class GlobPattern {
  /** The pattern as written (after percent-decoding). */
  readonly text: string;
  private readonly regexp: RegExp | undefined;

  constructor(text: string) {
    this.text = text;
    // A lone `*` is the common case; skip the RegExp for it.
    this.regexp = text === '*' ? undefined : new RegExp(`^${text.split('*').map(escapeRegExp).join('.*')}$`, 's');
  }

  /** True when `value` matches the whole pattern. */
  test(value: string): boolean {
    return this.regexp === undefined ? true : this.regexp.test(value);
  }
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
}
