/**
 * The edit lexicon: every unsafe surface form the generator uses, with the safe replacement in the same
 * slot (empty: drop the term). Full phrases and short forms come with their concept's safe counterpart;
 * single tags and boosters map to empty (drop), except tags that also occur in safe text (knife, blood
 * donation, pride...), which are left out so an edit never fires on a word that is harmless by itself.
 */
import { BOOSTERS, CONCEPTS } from './lexicons';
import { pronouns, pronounVariants } from './text';
import type { Category, Gender } from './types';

export interface LexiconRow {
  category: Category;
  term: string;
  replacement: string;
}

function variants(unsafe: string, safe: string | null): [string, string][] {
  const hasP = /\{(pos|obj|refl|subj)\}/.test(unsafe) || (safe !== null && /\{(pos|obj|refl|subj)\}/.test(safe));
  if (!hasP) return [[unsafe, safe ?? '']];
  return (['f', 'm', 'n'] as Gender[]).map((g) => [pronouns(unsafe, g), safe === null ? '' : pronouns(safe, g)]);
}

/** Tags that name an ordinary thing, place or feeling; harmless alone, so never listed as unsafe terms. */
const HARMLESS_ALONE = new Set([
  'photoshoot', 'harness', 'chains', 'webcam', 'underwear', 'body paint', 'open robe', 'pole dance', 'oiled skin', 'flashing',
  'strip club', 'hammer', 'saw', 'baseball bat', 'riot', 'kicking', 'punching', 'beating', 'choking', 'hostage', 'hostages',
  'rifle', 'rifles', 'threat', 'threats', 'ski mask', 'bodies', 'explosives', 'chanting', 'torches', 'rally', 'hood', 'ss',
  'vandalism', 'comments', 'meme', 'prank', 'fear', 'changing room', 'obsession', 'bathtub', 'falling', 'ledge', 'pills',
  'train tracks', 'burns', 'depression', 'despair', 'scars', 'car crash', 'dead animal', 'flies', 'rats', 'boil', 'morgue',
  'organs', 'autopsy', 'wound', 'gross', 'spoon', 'pipe', 'needle', 'atm', 'crowbar', 'ivory', 'guns', 'handgun',
  'stealing', 'masked men', 'armed, masked', 'stolen', 'stolen cars', 'poison', 'emaciated', 'cuts', 'following woman',
  'sexy', 'hacker', 'headless', 'skinned', 'filth', 'assault', 'insults', 'shoving', 'spitting', 'jeering', 'cruel',
  'goodbye', 'wrists', 'drowning', 'scratching', 'starving', 'broken glass', 'carbon monoxide', 'painkillers', 'bloated',
  'drowned', 'brains', 'blisters', 'battlefield', 'shelling', 'sniper', 'shell casings', 'trolling', 'dead rat', 'swirly',
  'skimmer', 'low-cut top', 'glorification', 'bent over',
]);

/** `safeText`: all safe prompts (hard negatives, pool, safe sides of pairs), joined, lower case. */
export function buildLexicon(safeText: string): LexiconRow[] {
  const rows: LexiconRow[] = [];
  const seen = new Set<string>();
  const add = (category: Category, term: string, replacement: string) => {
    const t = term.trim().toLowerCase();
    const key = `${category}\u0000${t}`;
    if (!t || seen.has(key)) return;
    seen.add(key);
    rows.push({ category, term: t, replacement: replacement.trim().toLowerCase() });
  };
  const occursSafely = (term: string) => new RegExp(`(^|[^a-z])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(safeText);
  for (const [category, concepts] of Object.entries(CONCEPTS) as [Category, (typeof CONCEPTS)[Category]][]) {
    for (const c of concepts) for (const [u, s] of variants(c.unsafe.text, c.safe?.text ?? null)) add(category, u, s);
    for (const c of concepts) for (const [u, s] of variants(c.unsafe.short, c.safe?.short ?? null)) add(category, u, s);
    const tagTerms = new Set<string>();
    for (const c of concepts) for (const v of pronounVariants(c.unsafe.tag)) v.split(',').forEach((x) => tagTerms.add(x.trim()));
    for (const b of BOOSTERS[category]) tagTerms.add(b);
    for (const term of [...tagTerms].sort()) if (term.length >= 3 && !HARMLESS_ALONE.has(term) && !occursSafely(term)) add(category, term, '');
  }
  // Within a category, longest terms first (then alphabetical), so a consumer scanning in file order
  // replaces whole phrases before their parts.
  const catIndex = new Map(Object.keys(CONCEPTS).map((c, i) => [c, i]));
  const wc = (t: string) => t.split(/\s+/).length;
  return rows.sort((a, b) => (catIndex.get(a.category) ?? 0) - (catIndex.get(b.category) ?? 0) || wc(b.term) - wc(a.term) || b.term.length - a.term.length || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
}
