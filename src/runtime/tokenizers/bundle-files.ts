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
