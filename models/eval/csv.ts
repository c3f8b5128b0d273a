/**
 * A small RFC 4180 reader for the evaluation files (no dependency).
 *
 * - Fields are separated by `delimiter` (default ","); records by CRLF, LF or a lone CR.
 * - A field that STARTS with a double quote is quoted: it runs to the matching closing quote, may hold
 *   delimiters, CR/LF line breaks (kept as they are) and doubled quotes ("" -> "). Characters after the
 *   closing quote and before the next delimiter are kept literally (as Python's csv module does).
 * - A quote anywhere else in an unquoted field is an ordinary character.
 * - `quoting: false` turns quoting off entirely (plain TSV such as PartiPrompts, where a prompt may begin
 *   with a quoted word: `"G I G G L E" painted ...`).
 * - A leading UTF-8 byte-order mark is dropped; a final line break does not start an empty record; an empty
 *   line (nothing between two line breaks) is skipped.
 * - Any other character (U+FFFD, control characters) is kept unchanged.
 * - An unterminated quoted field is an error naming the line it started on.
 */
import * as fs from 'node:fs';

export interface CsvOptions {
  /** One character; default ",". */
  delimiter?: string;
  /** Honour double-quoted fields (default true). */
  quoting?: boolean;
}

export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delim = options.delimiter ?? ',';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new Error(`CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delim)}`);
  }
  const quoting = options.quoting ?? true;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = s.length;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  // True when the current record has seen any character (so an empty line can be told from `""`).
  let touched = false;

  const endRecord = (): void => {
    if (touched) {
      record.push(field);
      records.push(record);
    }
    record = [];
    field = '';
    touched = false;
  };

  while (i < n) {
    const c = s[i];
    if (quoting && c === '"' && field === '') {
      // A quoted field (only at the start of a field; `field` is empty there).
      const startLine = line;
      touched = true;
      i++;
      let closed = false;
      while (i < n) {
        const q = s[i];
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (q === '\n') line++;
        else if (q === '\r' && s[i + 1] !== '\n') line++;
        field += q;
        i++;
      }
      if (!closed) throw new Error(`CSV: quoted field starting on line ${startLine} is never closed`);
      // Anything up to the next delimiter/line break after the closing quote is kept literally.
      while (i < n && s[i] !== delim && s[i] !== '\n' && s[i] !== '\r') field += s[i++];
      continue;
    }
    if (c === delim) {
      record.push(field);
      field = '';
      touched = true;
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      endRecord();
      continue;
    }
    field += c;
    touched = true;
    i++;
  }
  endRecord();
  return records;
}

export interface Table {
  /** Where it came from (for messages). */
  source: string;
  header: string[];
  rows: Record<string, string>[];
}

/**
 * The first record is the header; each further record becomes an object keyed by it. A record with more
 * fields than the header is an error; a shorter one gets '' for the missing fields.
 */
export function toTable(records: string[][], source = 'CSV'): Table {
  if (records.length === 0) throw new Error(`${source}: no header row`);
  const header = records[0];
  const rows: Record<string, string>[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    if (rec.length > header.length) {
      throw new Error(`${source}: record ${r + 1} has ${rec.length} fields, the header has ${header.length}`);
    }
    const row: Record<string, string> = {};
    header.forEach((h, j) => (row[h] = rec[j] ?? ''));
    rows.push(row);
  }
  return { source, header, rows };
}

/** Reads a UTF-8 CSV/TSV file (invalid bytes become U+FFFD) into a Table. */
export function readTable(file: string, options: CsvOptions = {}): Table {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(fs.readFileSync(file));
  return toTable(parseCsv(text, options), file);
}

/** The first of `names` that the table has, or an error listing what it has. */
export function findColumn(table: Table, names: readonly string[]): string {
  for (const name of names) if (table.header.includes(name)) return name;
  const lower = names.map((x) => x.toLowerCase());
  const loose = table.header.find((h) => lower.includes(h.trim().toLowerCase()));
  if (loose !== undefined) return loose;
  throw new Error(`${table.source}: none of the columns ${names.map((x) => JSON.stringify(x)).join(', ')}; it has ${table.header.map((x) => JSON.stringify(x)).join(', ')}`);
}

/** One column's values. */
export function column(table: Table, name: string): string[] {
  if (!table.header.includes(name)) {
    throw new Error(`${table.source}: no column ${JSON.stringify(name)}; it has ${table.header.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  return table.rows.map((r) => r[name]);
}
