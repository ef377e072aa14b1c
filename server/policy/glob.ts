/**
 * A scope's wildcard pattern: `*` matches any run of characters (also none),
 * everything else is literal. A pattern with a `*` inside is compiled once to
 * an anchored RegExp; `*` alone and patterns without one need none.
 */
export class GlobPattern {
  /** The pattern as written (after percent-decoding). */
  readonly text: string;
  private readonly regexp: RegExp | undefined;

  constructor(text: string) {
    this.text = text;
    this.regexp =
      text === '*' || !text.includes('*')
        ? undefined
        : new RegExp(`^${text.split('*').map(escapeRegExp).join('.*')}$`, 's');
  }

  /** True when `value` matches the whole pattern. */
  test(value: string): boolean {
    if (this.regexp !== undefined) return this.regexp.test(value);
    return this.text === '*' || this.text === value;
  }
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
}
