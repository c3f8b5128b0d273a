/**
 * The default safe-prompt pool that `redirect` retrieves from: varied safe scenes (people, animals,
 * landscapes, cities, food, objects) in all four styles. No minors and no moody places (prisons, dungeons),
 * since any pool entry may be shown as the rewrite of someone's prompt.
 */
import type { Rng } from './prng';
import { render } from './render';
import { baseScene } from './scene';
import { sampleDeco, STYLE_WEIGHTS } from './styles';
import { capitalize, words } from './text';
import type { SubjectKind } from './types';

const KIND_WEIGHTS: [SubjectKind, number][] = [
  ['person', 30],
  ['group', 10],
  ['animal', 20],
  ['thing', 8],
  ['scenery', 32],
];

const EXCLUDE = /\b(prison|dungeon|haunted|abandoned|dark basement|public restroom|hospital|waiting room|vampire|witch|sorceress|demon|mad scientist|homeless|motel|nightclub|bar|wine|sauna|hotel room|bedroom|bathtub|bathroom|elevator|back alley|alley)\b/;

export function generatePool(rng: Rng, count: number, exclude: Set<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>(exclude);
  let tries = 0;
  while (out.length < count) {
    if (++tries > count * 50) throw new Error(`pool: could only make ${out.length} of ${count}`);
    const kind = rng.weighted(KIND_WEIGHTS);
    const scene = baseScene(rng, { kind, allowMinor: false, sexual: false, pool: true, where: null, only: null });
    const style = rng.weighted(STYLE_WEIGHTS);
    const deco = sampleDeco(rng, style, kind);
    let text = render(scene, deco, null);
    if (style === 'caption' && deco.form === 'sentence') text = capitalize(text);
    const n = words(text.replace(/,/g, ' ')).length;
    if (style === 'short' && (n < 2 || n > 5)) continue;
    if (EXCLUDE.test(text) || seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  return out;
}
