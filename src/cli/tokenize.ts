/** tokenize: the token ids the bundle's text tower receives (or OpenAI CLIP's BPE from --merges), one JSON array per text. */
import * as path from 'node:path';
import { resolveConfig } from '../config';
import { loadBundle } from '../runtime/bundle';
import { loadTokenizer } from '../runtime/tokenizers';
import type { Tokenizer } from '../runtime/tokenizers/types';
import { printJson, stdoutClosed } from './io';

export async function runTokenize(values: { bundle?: string; merges?: string }, texts: string[]): Promise<void> {
  let tokenizer: Tokenizer;
  if (values.merges) {
    tokenizer = await loadTokenizer({ type: 'clip-bpe', merges: path.basename(values.merges), contextLength: 77 }, path.dirname(path.resolve(values.merges)), { specialTokensInText: 'special', promptSyntax: false });
  } else {
    const config = resolveConfig(process.env, values.bundle ? { modelDir: path.resolve(values.bundle) } : {});
    tokenizer = (await loadBundle(config.modelDir)).tokenizer;
  }
  for (const t of texts) {
    if (stdoutClosed()) break;
    printJson(Array.from(tokenizer.encode(t)));
  }
}
