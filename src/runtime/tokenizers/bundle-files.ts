/**
 * Reading tokenizer files out of a model bundle, with errors that name the file and what was wrong.
 * Errors are GatewayError BUNDLE_INVALID (start-up only) and keep the underlying error as `cause`.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ErrorCode, GatewayError } from '../../errors';

export function bundleError(file: string, problem: string, cause?: unknown): GatewayError {
  return new GatewayError(ErrorCode.BUNDLE_INVALID, `tokenizer file ${file}: ${problem}`, { cause });
}

/** Resolves a manifest path (relative to the bundle folder). */
export function bundlePath(bundleDir: string, file: string): string {
  return path.resolve(bundleDir, file);
}

/** Reads a UTF-8 text file, gunzipping it first when it starts with the gzip magic bytes (1f 8b). */
export async function readBundleText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw bundleError(file, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, cause);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw bundleError(file, `looks gzip-compressed but does not gunzip: ${(cause as Error).message}`, cause);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw bundleError(file, 'is not valid UTF-8', cause);
  }
}

/**
 * A file of one entry a line whose line number is the entry's id (vocab.txt, ngrams.txt): CR LF accepted, a final
 * newline allowed; the first lines must be the given markers; no line empty, none repeated. `noun` names an entry
 * in the messages ("a token", "an n-gram"); `check`, when given, vets each entry after those checks (throwing its
 * own message). Throws with the line number of the first problem.
 */
export function parseIdLines(text: string, noun: string, head: readonly { entry: string; id: string }[], check?: (entry: string, i: number) => void): string[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // newline at the end of the file
  head.forEach(({ entry, id }, i) => {
    if (lines[i] !== entry) throw new Error(`line ${i + 1} must be "${entry}" (${id}), found ${JSON.stringify(lines[i] ?? '')}`);
  });
  const seen = new Map<string, number>();
  lines.forEach((entry, i) => {
    if (entry === '') throw new Error(`line ${i + 1} is empty; every line is ${noun} and its line number its id`);
    const earlier = seen.get(entry);
    if (earlier !== undefined) throw new Error(`line ${i + 1} repeats ${JSON.stringify(entry)} from line ${earlier + 1}; ${noun} must have one id`);
    seen.set(entry, i);
    check?.(entry, i);
  });
  return lines;
}
