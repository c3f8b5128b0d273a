/**
 * What EDIT costs on a long unsafe prompt, with and without the attribution bound (edit.ts maxCandidates):
 * `npx tsx test/bench/edit-cost.ts`. A 2,000-character prompt (harmless filler, then an unsafe phrase) on the
 * embedded bundle, one model worker; prints, per setting, the milliseconds, the texts embedded and the edits.
 * Not a test: nothing here asserts a time.
 */
import { resolveConfig } from '../../src/config';
import { openServices } from '../../src/main';
import { editPrompt } from '../../src/safety/edit';
import { safeBound } from '../../src/safety/redirect';

async function main(): Promise<void> {
  const s = await openServices(resolveConfig({ ...process.env, MODEL_WORKERS: '1' }, {}));
  const filler = 'a green meadow with flowers and a small river under a blue sky, ';
  const text = (filler.repeat(40) + 'a man stabbing another man in a dark alley, blood everywhere').slice(-2000);
  const [vec] = await s.runtime.embedTexts([text]);
  const target = safeBound(s.runtime.bundle.manifest, 'TEXT');
  for (const maxCandidates of [Infinity, 24, Infinity, 24]) {
    let embedded = 0;
    const t0 = performance.now();
    const r = await editPrompt(text, vec, {
      embed: (texts) => {
        embedded += texts.length;
        return s.runtime.embedTexts(texts);
      },
      distance: (v) => s.safety.distance(v),
      target,
      words: s.safety.words,
      maxCandidates,
    });
    console.log(JSON.stringify({ maxCandidates: String(maxCandidates), ms: Math.round(performance.now() - t0), textsEmbedded: embedded, edits: r.edits, safe: r.safe }));
  }
  await s.runtime.close(0);
}

void main();
