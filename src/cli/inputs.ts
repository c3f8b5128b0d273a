/**
 * What a classify, embed, redirect or tokenize command reads, in the order the arguments name it:
 *   text ...        each argument is one text
 *   --file FILE     each non-blank line of FILE is one text; `--file -` reads stdin
 *   --image FILE    one image (not for tokenize)
 *   (none of them)  when stdin is not a terminal, its lines, as `--file -` (`cat prompts.txt | hysac-gateway classify`)
 * so `classify "a" --image x.png "b"` prints a, x.png, b in that order.
 */
import * as fs from 'node:fs';

export type Input = { kind: 'text'; text: string } | { kind: 'image'; file: string };

/** An argument as parseArgs reports it with `tokens: true` (the kinds that matter here). */
export type ArgToken = { kind: 'positional'; value: string } | { kind: 'option'; name: string; value?: string } | { kind: string };

export class InputError extends Error {}

function lines(content: string): string[] {
  return content.split(/\r?\n/).filter((l) => l.trim() !== '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read --file ${file}: ${(e as Error).message}; allowed: a readable text file, one text a line, or - for stdin`);
  }
}

/**
 * The inputs in argument order. `stdinIsTty` says whether stdin is a terminal (then it is never read
 * unless `--file -` asks for it). Throws InputError for an unreadable file or `--file -` given twice.
 */
export async function collectInputs(tokens: readonly ArgToken[], opts: { images: boolean; stdinIsTty: boolean }): Promise<Input[]> {
  const inputs: Input[] = [];
  let stdinUsed = false;
  for (const t of tokens) {
    if (t.kind === 'positional' && 'value' in t) inputs.push({ kind: 'text', text: t.value });
    else if (t.kind === 'option' && 'name' in t && t.value !== undefined) {
      if (t.name === 'file') {
        if (t.value === '-') {
          if (stdinUsed) throw new InputError('--file - is given twice; allowed: read stdin once');
          stdinUsed = true;
          for (const text of lines(await readStdin())) inputs.push({ kind: 'text', text });
        } else {
          for (const text of lines(readFile(t.value))) inputs.push({ kind: 'text', text });
        }
      } else if (t.name === 'image' && opts.images) inputs.push({ kind: 'image', file: t.value });
    }
  }
  const named = tokens.some((t) => t.kind === 'positional' || (t.kind === 'option' && 'name' in t && (t.name === 'file' || t.name === 'image')));
  if (!named && !opts.stdinIsTty) for (const text of lines(await readStdin())) inputs.push({ kind: 'text', text });
  return inputs;
}
