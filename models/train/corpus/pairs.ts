/**
 * ViSU-style pairs: a safe prompt and its unsafe counterpart that differ only in the unsafe concept
 * (added, or swapped in for its safe counterpart), with subject, setting and style decoration shared.
 */
import { BOOSTERS, CONCEPTS } from './lexicons';
import type { Rng } from './prng';
import { render, shortText, shortWordCount } from './render';
import { baseScene, withSlot } from './scene';
import { sampleDeco, STYLE_WEIGHTS } from './styles';
import { capitalize } from './text';
import type { Category, Concept, Scene, Style, SubjectKind } from './types';

export interface Pair {
  category: Category;
  style: Style;
  safe: string;
  unsafe: string;
  /** Split grouping key: the subject's head noun, or the setting for object scenes. */
  group: string;
  concept: string;
}

/** Words that must never appear in a sexual prompt (the generator throws if one does). */
export const MINOR_WORDS = /\b(child|children|kids?|teens?|teenage|teenagers?|boys?|girls?|schoolgirl|schoolboy|school|students?|classroom|playground|toddlers?|bab(y|ies)|infants?|minors?|daughters?|sons?|underage|youth|kindergarten|nursery|puppy|kitten|little)\b/;

const PLACED = /\bthe street\b|\b(in|on|at|outside|off|into|across|from|through|in front of) (a|an|the|{pos}|her|his) (?!(hand|arm|arms|wrists?|face|chest|head|neck|forehead|body|skin|back|cheek|shoulder|ear)\b)/;

function kindWeights(c: Concept): [SubjectKind, number][] {
  const w: Record<SubjectKind, number> = { person: 10, group: 4, animal: 5, thing: 5, scenery: 4 };
  return c.targets.map((k) => [k, w[k]]);
}

function sceneFor(rng: Rng, c: Concept): Scene {
  const kind = c.slot === 'object' ? null : rng.weighted(kindWeights(c));
  const base = baseScene(rng, {
    kind,
    allowMinor: c.allowMinor,
    sexual: c.category === 'sexual',
    pool: false,
    where: c.where,
    only: c.only,
    food: c.food,
    requireMinor: c.allowMinor && (kind === 'person' || kind === 'group'),
  });
  // An extra that is itself a clause ("crying while ...", "being mocked ...") does not follow an action well.
  if (c.slot === 'extra' && base.action && (/^(\w+ing|being)\b/.test(c.unsafe.text) || rng.chance(0.5))) base.action = null;
  // A concept that names its own place ("in a bathtub", "on a street corner") mostly goes without a setting.
  if (base.setting && (PLACED.test(c.unsafe.text) || (c.safe && PLACED.test(c.safe.text))) && rng.chance(0.85)) base.setting = null;
  return base;
}

function renderPair(rng: Rng, c: Concept, style: Style): { safe: string; unsafe: string; group: string } | null {
  const base = sceneFor(rng, c);
  const swap = c.safe !== null && (c.slot === 'object' || rng.chance(0.5));
  const safeScene = withSlot(base, c, swap ? c.safe : null);
  const unsafeScene = withSlot(base, c, c.unsafe);
  if (style !== 'caption' && style !== 'short' && rng.chance(0.22)) {
    unsafeScene.boost = rng.sample(BOOSTERS[c.category], 1 + rng.int(2));
  }
  const deco = sampleDeco(rng, style, base.subject?.kind ?? null);
  let safe: string;
  let unsafe: string;
  if (style === 'short') {
    let keep = deco.keepSetting;
    const both = (k: boolean) => [shortText(safeScene, deco, c.slot, k), shortText(unsafeScene, deco, c.slot, k)];
    [safe, unsafe] = both(keep);
    if (shortWordCount(safe) > 5 || shortWordCount(unsafe) > 5) [safe, unsafe] = both((keep = false));
    if (shortWordCount(safe) < 2 && !keep) safe = shortText(safeScene, deco, c.slot, true);
    if (shortWordCount(safe) < 2 || shortWordCount(safe) > 5 || shortWordCount(unsafe) < 2 || shortWordCount(unsafe) > 5) return null;
  } else {
    safe = render(safeScene, deco, c.slot);
    unsafe = render(unsafeScene, deco, c.slot);
  }
  if (style === 'caption' && deco.form === 'sentence') {
    safe = capitalize(safe);
    unsafe = capitalize(unsafe);
  }
  if (safe === unsafe) return null;
  // A caption is a sentence: "Villagers." is not one.
  if (style === 'caption' && Math.min(shortWordCount(safe), shortWordCount(unsafe)) < 3) return null;
  const group = base.subject ? base.subject.group : base.setting ? base.setting.group : `object:${c.unsafe.text}`;
  return { safe, unsafe, group };
}

/**
 * `perCategory` pairs for each category, concepts visited round-robin in a shuffled order so every concept
 * is used about equally, styles drawn by STYLE_WEIGHTS. Unsafe prompts are unique across the whole set.
 */
export let rejectedMinor = 0;

export function generatePairs(rng: Rng, perCategory: number): Pair[] {
  rejectedMinor = 0;
  const out: Pair[] = [];
  const seenUnsafe = new Set<string>();
  const seenSafeUnsafe = new Set<string>();
  for (const [category, concepts] of Object.entries(CONCEPTS) as [Category, Concept[]][]) {
    const r = rng.fork(category);
    let order = r.shuffle(concepts);
    let i = 0;
    let made = 0;
    let misses = 0;
    let streak = 0;
    let pending: Style | null = null;
    while (made < perCategory) {
      if (i === order.length) {
        order = r.shuffle(concepts);
        i = 0;
      }
      const c = order[i++];
      // A retry keeps its style, so styles that collide more often (short) are not under-represented.
      const style: Style = streak > 0 && pending ? pending : r.weighted(STYLE_WEIGHTS);
      pending = style;
      const p = renderPair(r, c, style);
      const key = p ? `${p.safe}\u0000${p.unsafe}` : '';
      // Safety net: subjects and settings are already filtered, so this should never fire; it is counted.
      const minorClash = !!p && category === 'sexual' && (MINOR_WORDS.test(p.safe) || MINOR_WORDS.test(p.unsafe));
      if (minorClash) {
        rejectedMinor++;
        if (process.env.CORPUS_DEBUG) console.error(`rejected (minor word): ${p.unsafe}`);
      }
      if (!p || minorClash || seenUnsafe.has(p.unsafe) || seenSafeUnsafe.has(key)) {
        if (++misses > perCategory * 50) throw new Error(`${category}: cannot make ${perCategory} unique pairs (made ${made})`);
        // Retry the same concept a few times so coverage stays even, then move on.
        if (++streak < 20) i--;
        else streak = 0;
        continue;
      }
      streak = 0;
      seenUnsafe.add(p.unsafe);
      seenSafeUnsafe.add(key);
      out.push({ category, style, safe: p.safe, unsafe: p.unsafe, group: p.group, concept: c.unsafe.text });
      made++;
    }
  }
  return out;
}
