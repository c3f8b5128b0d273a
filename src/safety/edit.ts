/**
 * EDIT redirection: keep the user's prompt and change as little as possible.
 *
 * d(text) is the geodesic distance of the text's embedding from the origin; the goal is d < target (the safe
 * bound). Only content words are edited: stop words carry no content and are never touched.
 *
 *  1. Attribution (leave-one-out, gradient-free), recomputed after every edit on the prompt as it stands: for
 *     every content word w_i not yet edited, a_i = d(prompt) - d(prompt without w_i), how far w_i pushes the
 *     embedding away from the origin. All variants go in one batch. The word with the largest a_i is edited
 *     next. Recomputing matters when a prompt says the same thing twice ("naked, nude woman"): at first
 *     removing either word changes little (the other still carries it), after one edit the other stands out.
 *     When no word clearly pushes outward (largest a_i < 0.01), the word that is furthest out on its own,
 *     d(w_i), is taken, if that is beyond the bound.
 *  2. Candidates for the word: its learnt replacements, dropping it, or replacing it with one of its `neighbours`
 *     nearest safe words. Learnt replacements come from the bundle's substitution table (manifest `substitutions`,
 *     learnt from safe/unsafe twins: which words an unsafe prompt changes into in its safe twin, "blood" ->
 *     "paint"), at most `learnt` (4) of them in count order, phrases of up to 3 words included, the word itself
 *     and the table's drops left out (dropping is always a candidate). They keep the scene where a nearest word by
 *     direction need not ("blood" -> "toast"). Without a table there are none and EDIT is as before.
 *     "Nearest" is by direction — the angle at the origin between the word's own embedding and the embeddings
 *     of a safe-word vocabulary drawn from the safe-prompt pool — not by geodesic distance: an unsafe word lies
 *     far from the origin and safe words near it, so geodesic distance is dominated by the radius and would
 *     pick whatever safe word is furthest out, while the direction carries the meaning (a nearest word already
 *     among the learnt ones is not repeated). All candidates are re-embedded in one batch and one is kept:
 *       - when some candidates bring d under the bound (the prompt is then safe: they meet the goal alike), the
 *         first learnt replacement among them in count order, else the one of them with the smallest d;
 *       - otherwise the one with the smallest d.
 *     Ties on d go to a learnt replacement (the most frequent), then to a nearest word, then to dropping (a
 *     replacement keeps the sentence shape); chooseCandidate holds the rule. An edit that does not lower d is not made, unless the word on its own is beyond the
 *     bound (a redundant unsafe word: removing it alone cannot show, but it has to go).
 *     Work is bounded whatever the prompt's length: attribution looks at most at the `maxCandidates` (24)
 *     content words furthest out on their own (every word when there are fewer), so a round embeds at most
 *     24 + 9 variants of the prompt (1 drop + 4 learnt + 4 nearest; 5 without a table), and a long prompt
 *     (several windows) costs rounds x variants x windows, not words x rounds x windows (a 2,000-character
 *     prompt has ~200 content words).
 *  3. Stop as soon as the prompt is inside the bound, after at most `maxEdits` edits. If it never gets there,
 *     `safe` is false and the caller falls back to RETRIEVE, so an unsafe prompt is never passed on.
 *  4. Minimality: greedy edits can leave one that a later edit made unnecessary. With two or more edits,
 *     undoing each single edit is tried (one batch); among the undos that keep the prompt inside the bound
 *     the one with the smallest d is kept, and this repeats until no undo fits. The output is then safe and
 *     no single restored word would keep it safe.
 * Punctuation around an edited word is kept ("blood," -> "paint,").
 */
import type { Substitutions } from '../runtime/bundle';
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
  /** Learnt replacements per lowercase word (the bundle's substitution table); null or absent: none. */
  substitutions?: Substitutions | null;
  maxEdits?: number;
  neighbours?: number;
  /** Most learnt replacements tried per edited word, in count order; default 4. */
  learnt?: number;
  /** Most content words attribution considers (those furthest out alone); default 24. */
  maxCandidates?: number;
}

export interface EditResult {
  output: string;
  vec: Float32Array;
  distance: number;
  /** Each edit, in prompt order: the word and its replacement (null = dropped). */
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

/** Up to `max` learnt replacements of `word` in count order: not the word itself, not drops. */
function learntReplacements(table: Substitutions | null | undefined, word: string, max: number): string[] {
  const out: string[] = [];
  for (const s of table?.get(word) ?? []) {
    if (out.length >= max) break;
    if (s.replacement !== null && s.replacement !== word && !out.includes(s.replacement)) out.push(s.replacement);
  }
  return out;
}

/**
 * The candidate kept (step 2). `ds` are the candidates' distances in the order drop, nearest words, learnt
 * replacements from the least to the most frequent (the last `learnt` entries). The smallest d wins, the later
 * candidate on a tie (learnt over nearest over drop; without learnt ones exactly the rule EDIT had before
 * tables). But when that d is under `target`, the most frequent learnt replacement under `target` wins instead.
 */
export function chooseCandidate(ds: readonly number[], learnt: number, target: number): number {
  let best = 0;
  for (let v = 1; v < ds.length; v++) if (ds[v] <= ds[best]) best = v;
  if (ds[best] >= target) return best;
  for (let v = ds.length - 1; v >= ds.length - learnt; v--) if (ds[v] < target) return v;
  return best;
}

export async function editPrompt(text: string, inputVec: Float32Array, o: EditOptions): Promise<EditResult> {
  const maxEdits = o.maxEdits ?? 8;
  const k = o.neighbours ?? 4;
  const maxLearnt = o.learnt ?? 4;
  const tokens = tokenize(text);
  const current: (string | null)[] = tokens.map((t) => t.text);
  const without = (i: number, replacement: string | null = null): string => render(current.map((t, j) => (j === i ? replacement : t))) || '.';
  let distance = o.distance(inputVec);
  let vec = inputVec;
  const editedAt = new Map<number, EditResult['edits'][number]>();
  if (distance < o.target) return { output: text, vec, distance, edits: [], safe: true };

  // Each content word's own embedding: how far out it is alone, and its direction (for replacements).
  const content = tokens.map((t, i) => (t.core && !STOP_WORDS.has(t.core.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
  const ownVecs = await o.embed(content.map((i) => tokens[i].core));
  const own = new Map(content.map((i, n) => [i, { vec: ownVecs[n], d: o.distance(ownVecs[n]) }]));
  const maxCandidates = o.maxCandidates ?? 24;
  const candidates = content.length <= maxCandidates ? content : [...content].sort((a, b) => own.get(b)!.d - own.get(a)!.d).slice(0, maxCandidates).sort((a, b) => a - b);
  const tried = new Set<number>();

  for (let round = 0; editedAt.size < maxEdits && round < 2 * maxEdits; round++) {
    const open = candidates.filter((i) => !tried.has(i));
    if (open.length === 0) break;
    // 1. Attribution on the prompt as it stands.
    const loo = await o.embed(open.map((i) => without(i)));
    const ranked = open.map((i, n) => ({ i, a: distance - o.distance(loo[n]), alone: own.get(i)!.d })).sort((x, y) => y.a - x.a || y.alone - x.alone);
    let pick = ranked[0];
    if (pick.a < 0.01) {
      const alone = [...ranked].sort((x, y) => y.alone - x.alone)[0];
      if (alone.alone < o.target) break; // nothing pushes outward and no word is unsafe on its own
      pick = alone;
    }
    const i = pick.i;
    tried.add(i);

    // 2. Replace it (learnt replacements first) or drop it.
    const tok = tokens[i];
    const lower = tok.core.toLowerCase();
    const learnt = learntReplacements(o.substitutions, lower, maxLearnt);
    const nearest: string[] = [];
    if (o.words) {
      for (const index of nearestByDirection(o.words.points, own.get(i)!.vec, k + 1 + learnt.length)) {
        const w = o.words.words[index];
        if (w !== lower && !learnt.includes(w) && nearest.length < k) nearest.push(w);
      }
    }
    // Candidates: drop, the nearest words, then the learnt ones from the least to the most frequent (on a tie
    // on d the later one wins: see chooseCandidate).
    const replacements: (string | null)[] = [null, ...nearest, ...[...learnt].reverse()];
    const variants = replacements.map((w) => (w === null ? null : `${tok.lead}${w}${tok.trail}`));
    const vecs = await o.embed(variants.map((v) => without(i, v)));
    const ds = vecs.map((v) => o.distance(v));
    const best = chooseCandidate(ds, learnt.length, o.target);
    const bestD = ds[best];
    if (bestD >= distance && pick.alone < o.target) continue; // does not help: leave it as the user wrote it
    current[i] = variants[best];
    editedAt.set(i, { from: tok.core, to: replacements[best] });
    distance = bestD;
    vec = vecs[best];
    if (distance < o.target) break;
  }

  // 4. Undo edits that are no longer needed.
  while (distance < o.target && editedAt.size > 1) {
    const positions = [...editedAt.keys()];
    const vecs = await o.embed(positions.map((i) => without(i, tokens[i].text)));
    let undo = -1;
    let undoD = Infinity;
    vecs.forEach((v, n) => {
      const d = o.distance(v);
      if (d < o.target && d < undoD) {
        undo = n;
        undoD = d;
      }
    });
    if (undo < 0) break;
    const i = positions[undo];
    current[i] = tokens[i].text;
    editedAt.delete(i);
    distance = undoD;
    vec = vecs[undo];
  }
  const edits = [...editedAt.keys()].sort((a, b) => a - b).map((i) => editedAt.get(i)!);
  const output = render(current);
  return { output: output || text, vec, distance, edits, safe: distance < o.target && output.length > 0 };
}
