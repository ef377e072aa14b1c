import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

/**
 * Replaces the section `## <title>` of the Markdown file at `file` — up to the
 * next `## ` heading — with `body` (which starts with that heading), or appends
 * it when there is none. Benchmarks keep their latest figures in the README so.
 * The file is written as Prettier formats it (aligned tables), so `npm test`'s
 * format check still passes after a benchmark run.
 */
export async function writeReadmeSection(file: string, title: string, body: string): Promise<void> {
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  let next: string;
  if (start === -1) {
    next = `${readme.trimEnd()}\n\n${body}`;
  } else {
    const end = readme.indexOf('\n## ', start + 1);
    next = `${readme.slice(0, start + 1)}${body}${end === -1 ? '' : readme.slice(end)}`;
  }
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(next, { ...options, filepath: file }));
}
