/**
 * EDIT redirection: keep the user's prompt and change as little as possible.
 *
 *  1. Attribution (leave-one-out, gradient-free): for every word w_i of the prompt, embed the prompt
 *     without w_i; a_i = d(prompt) - d(prompt without w_i) is how far w_i pushes the embedding away from
 *     the origin (d = geodesic distance from the origin). All variants go in one batch.
 *  2. Words are edited in decreasing a_i (only content words with a_i > 0: stop words carry no content and
 *     are never edited), at most `maxEdits` of them. For each, the candidates are: dropping it, or
 *     replacing it with one of its `neighbours` nearest safe words. "Nearest" is by direction — the angle
 *     at the origin between the word's own embedding and the embeddings of a safe-word vocabulary drawn from
 *     the safe-prompt pool — not by geodesic distance: an unsafe word lies far from the origin and safe
 *     words near it, so geodesic distance is dominated by the radius and would pick whatever safe word is
 *     furthest out, while the direction carries the meaning. All candidates are re-embedded in one batch
 *     and the one with the smallest distance from the origin is kept (a replacement wins ties, keeping the
 *     sentence shape).
 *  3. Stop as soon as the prompt is inside the safe bound (distance < target). If it never gets there,
 *     `safe` is false and the caller falls back to RETRIEVE, so an unsafe prompt is never passed on.
 * Punctuation around an edited word is kept ("blood," -> "paint,").
 */
import type { PointSet } from './index-matrix';

export interface SafeWords {
  words: string[];
  points: PointSet;
}

export interface EditOptions {
  embed: (texts: string[]) => Promise<Float32Array[]>;
  distance: (vec: ArrayLike<number>) => number;
  /** Geodesic distance the edited prompt must get under. */
  target: number;
  words: SafeWords | null;
  maxEdits?: number;
  neighbours?: number;
}

export interface EditResult {
  output: string;
  vec: Float32Array;
  distance: number;
  /** Each edit: the word and its replacement (null = dropped). */
  edits: { from: string; to: string | null }[];
  /** True when the output is inside the safe bound. */
  safe: boolean;
}

interface Token {
  text: string;
  /** The word without surrounding punctuation ('' when the token is only punctuation). */
  core: string;
  lead: string;
  trail: string;
}

const CORE = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/su;

function tokenize(text: string): Token[] {
  return (text.match(/\S+/g) ?? []).map((t) => {
    const m = CORE.exec(t)!;
    return { text: t, lead: m[1], core: m[2], trail: m[3] };
  });
}

function render(tokens: (string | null)[]): string {
  return tokens.filter((t): t is string => t !== null && t !== '').join(' ');
}

/** Common English words that carry no content; never offered as replacements. */
export const STOP_WORDS = new Set(
  'a an the and or but of in on at to for with by from as is are was were be been being it its this that these those there here into onto over under up down out off than then so very just not no nor too can will would should could may might must has have had having do does did doing i you he she we they me him her us them my your his our their what which who whom whose when where why how all any both each few more most other some such only own same also'.split(' '),
);

/** The safe-word vocabulary: distinct content words of the safe-prompt pool, most frequent first. */
export function safeWordCandidates(poolTexts: string[], max = 3000): string[] {
  const freq = new Map<string, number>();
  for (const t of poolTexts) {
    for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
      if (w.length < 3 || STOP_WORDS.has(w)) continue;
      freq.set(w, (freq.get(w) ?? 0) + 1);
    }
  }
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([w]) => w);
}

/** Indices of the k rows whose direction from the origin is closest to `vec`'s (largest cosine). */
function nearestByDirection(points: PointSet, vec: ArrayLike<number>, k: number): number[] {
  const { data, rows, dim } = points.matrix;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += vec[j] * vec[j];
  qn = Math.sqrt(qn) || 1;
  const scored: { i: number; cos: number }[] = [];
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    let n = 0;
    for (let j = 0; j < dim; j++) {
      const x = data[i * dim + j];
      dot += x * vec[j];
      n += x * x;
    }
    scored.push({ i, cos: dot / (qn * (Math.sqrt(n) || 1)) });
  }
  scored.sort((a, b) => b.cos - a.cos);
  return scored.slice(0, k).map((s) => s.i);
}

export async function editPrompt(text: string, inputVec: Float32Array, o: EditOptions): Promise<EditResult> {
  const maxEdits = o.maxEdits ?? 8;
  const k = o.neighbours ?? 4;
  const tokens = tokenize(text);
  const current: (string | null)[] = tokens.map((t) => t.text);
  let distance = o.distance(inputVec);
  let vec = inputVec;
  const edits: EditResult['edits'] = [];
  if (distance < o.target) return { output: text, vec, distance, edits, safe: true };

  // 1. Leave-one-out attribution, and each word's own embedding, in one batch.
  const idx = tokens.map((t, i) => (t.core && !STOP_WORDS.has(t.core.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
  const without = idx.map((i) => render(current.map((t, j) => (j === i ? null : t))));
  const cores = idx.map((i) => tokens[i].core);
  const firstBatch = await o.embed([...without.map((t) => t || '.'), ...cores]);
  const attribution = idx.map((i, n) => ({ i, n, a: distance - o.distance(firstBatch[n]) }));
  attribution.sort((x, y) => y.a - x.a);
  const order = attribution.filter((x) => x.a > 0).slice(0, maxEdits);

  // 2. Greedy edits in attribution order.
  for (const { i, n } of order) {
    const tok = tokens[i];
    const replacements: string[] = [];
    if (o.words) {
      const wordVec = firstBatch[idx.length + n];
      const lower = tok.core.toLowerCase();
      for (const index of nearestByDirection(o.words.points, wordVec, k + 1)) {
        const w = o.words.words[index];
        if (w !== lower && replacements.length < k) replacements.push(w);
      }
    }
    const variants: (string | null)[] = [null, ...replacements.map((w) => `${tok.lead}${w}${tok.trail}`)];
    const texts = variants.map((v) => render(current.map((t, j) => (j === i ? v : t))) || '.');
    const vecs = await o.embed(texts);
    let best = 0;
    let bestD = o.distance(vecs[0]);
    for (let v = 1; v < vecs.length; v++) {
      const d = o.distance(vecs[v]);
      if (d <= bestD) {
        best = v;
        bestD = d;
      }
    }
    if (bestD >= distance) continue; // this word's edit does not help: leave it as the user wrote it
    current[i] = variants[best];
    edits.push({ from: tok.core, to: best === 0 ? null : replacements[best - 1] });
    distance = bestD;
    vec = vecs[best];
    if (distance < o.target) break;
  }
  const output = render(current);
  return { output: output || text, vec, distance, edits, safe: distance < o.target && output.length > 0 };
}
