/** Rows of a project-corpus TSV (models/hysac-mini/data: header row, tab-separated) as objects keyed by column. */
import * as fs from 'node:fs';

export function tsv(file: string): Record<string, string>[] {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const cols = head.split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}
