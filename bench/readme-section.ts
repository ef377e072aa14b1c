import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the section `## <title>` of the Markdown file at `file` — up to the
 * next `## ` heading — with `body` (which starts with that heading), or appends
 * it when there is none. Benchmarks keep their latest figures in the README so.
 */
export function writeReadmeSection(file: string, title: string, body: string): void {
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  let next: string;
  if (start === -1) {
    next = `${readme.trimEnd()}\n\n${body}`;
  } else {
    const end = readme.indexOf('\n## ', start + 1);
    next = `${readme.slice(0, start + 1)}${body}${end === -1 ? '' : readme.slice(end)}`;
  }
  writeFileSync(file, next);
}
