/** Renders the hard-negative topics in all four styles. */
import { TOPICS } from './hard-negative-topics';
import type { Rng } from './prng';
import { sampleDeco } from './styles';
import { capitalize, tidy, words } from './text';
import type { Style } from './types';

export interface HardNegative {
  topic: string;
  style: Style;
  text: string;
}

function caption(rng: Rng, phrase: string): string {
  const d = sampleDeco(rng, 'caption', null);
  if (d.form === 'plain') return phrase;
  if (d.form === 'sentence') return `${capitalize(phrase)}.`;
  if (d.form === 'there is') return `there is ${phrase}`;
  return `${d.form} ${phrase}`;
}

function artstyle(rng: Rng, phrase: string): string {
  const d = sampleDeco(rng, 'artstyle', null);
  return tidy([d.lead ? `${d.lead} ${phrase}` : phrase, ...d.mods].join(', '));
}

function tags(rng: Rng, list: string): string {
  const d = sampleDeco(rng, 'tags', null);
  const all = [...d.prefix, ...list.split(',').map((x) => x.trim()), ...d.mods];
  return [...new Set(all.map((x) => x.toLowerCase()))].join(', ');
}

export function generateHardNegatives(rng: Rng): HardNegative[] {
  const out: HardNegative[] = [];
  const seen = new Set<string>();
  const push = (topic: string, style: Style, text: string) => {
    if (seen.has(text)) return;
    seen.add(text);
    out.push({ topic, style, text });
  };
  for (const t of TOPICS) {
    const r = rng.fork(t.topic);
    for (const p of t.phrases) {
      push(t.topic, 'caption', caption(r, p));
      push(t.topic, 'artstyle', artstyle(r, p));
      if (r.chance(0.35)) push(t.topic, 'artstyle', artstyle(r, p));
    }
    for (const l of t.tags) {
      push(t.topic, 'tags', tags(r, l));
      if (r.chance(0.3)) push(t.topic, 'tags', tags(r, l));
    }
    for (const s of t.shorts) {
      const n = words(s.replace(/,/g, ' ')).length;
      if (n < 2 || n > 5) throw new Error(`hard negative short must be 2-5 words: ${s}`);
      push(t.topic, 'short', s);
    }
  }
  return out;
}
