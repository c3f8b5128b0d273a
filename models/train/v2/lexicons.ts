/**
 * Every lexicon hysac-mini v2 learns unsafe words from, as one list of terms: the word lists of ../shared/train
 * (MANIFEST.md: surge-ai profanity, dsojevic profanity-list, Google's list, LDNOOBW, Civitai's prompt filter
 * lists, Davidson et al.'s hate n-grams) and the npm lists `naughty-words`, `@coffeeandfun/google-profanity-words`,
 * `cuss`, `bad-words` and `leo-profanity` (installed in models/train/node_modules).
 *
 * Each term keeps its source and, where a list gives one, a category of ours and a severity (1 mild .. 3
 * severe). Lists without severities count as 2 ("a filter blocks it"); mild terms (severity 1: "ass", "damn")
 * are kept but not used as unsafe training words. The held-out fifth (lexicon-split.ts) is decided per term by
 * the training code, not here, so that evaluation can load the same list.
 *
 * Ambiguous lists are left out on purpose: Civitai's "soft" NSFW words ("drawers", "bloomers") and DOPE's drug
 * slang ("candy", "snow", "charlie") are ordinary words in most prompts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_TRAIN, TRAIN_MODULES_V2 } from './paths';
import { foldTerm } from './lexicon-split';

export type Category = 'sexual' | 'violence' | 'hate' | 'harassment' | 'self-harm' | 'shocking' | 'illegal-activity';

export interface LexiconTerm {
  /** Folded form (lexicon-split.ts foldTerm): lower case, no accents, single spaces. */
  term: string;
  category: Category | null;
  /** 1 mild, 2 offensive (the default of lists without ratings), 3 severe. */
  severity: number;
  /** Where it came from (first list that had it; `sources` has all). */
  source: string;
  sources: string[];
}

/** Files and packages read, for TRAINING.md. */
export const LEXICON_FILES = [
  'text/profanity/profanity_en.csv',
  'text/profanity-list/en.json',
  'text/google-profanity-words/data/en.txt',
  'text/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words/en',
  'text/civitai/src/utils/metadata/lists/{blocked-words,blocklist,blocklist-nsfw,words-nsfw,words-nsfw-prompt,prompt-tags}.json',
  'text/hate-speech-and-offensive-language/lexicons/refined_ngram_dict.csv',
];
export const LEXICON_PACKAGES = ['naughty-words', '@coffeeandfun/google-profanity-words', 'cuss', 'bad-words', 'leo-profanity'];

const SURGE_CATEGORY: Record<string, Category | null> = {
  'sexual anatomy / sexual acts': 'sexual',
  'racial / ethnic slurs': 'hate',
  'sexual orientation / gender': 'hate',
  'religious offense': 'hate',
  'mental disability': 'harassment',
  'physical disability': 'harassment',
  'physical attributes': 'harassment',
  'other / general insult': 'harassment',
  'animal references': 'harassment',
  'bodily fluids / excrement': 'shocking',
  political: null,
};

const DSOJEVIC_TAG: Record<string, Category> = {
  sexual: 'sexual',
  racial: 'hate',
  lgbtq: 'hate',
  religious: 'hate',
  shock: 'shocking',
  general: 'harassment',
};

function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}
export { csvRows };

/** A list entry as plain words: regex-ish suffixes ("thongs?", "nudi?es") and markers ("|anal|") removed. */
function plain(entry: string): string | null {
  if (/[\\[\](){}*+^$]/u.test(entry)) return null;
  const t = foldTerm(entry.replace(/\?/gu, '').replace(/\|/gu, ' '));
  if (t === '' || t.length > 40 || !/\p{Script=Latin}/u.test(t)) return null;
  return t;
}

function readShared(rel: string): string {
  return fs.readFileSync(path.join(SHARED_TRAIN, rel), 'utf8');
}

function readModule(rel: string): string {
  return fs.readFileSync(path.join(TRAIN_MODULES_V2, rel), 'utf8');
}

/** Loads and merges every list (deterministic order: by list, then by entry). Needs ../shared/train and models/train/node_modules. */
export function loadLexicon(): LexiconTerm[] {
  const terms = new Map<string, LexiconTerm>();
  const add = (raw: string, category: Category | null, severity: number, source: string): void => {
    const term = plain(raw);
    if (term === null) return;
    const had = terms.get(term);
    if (had === undefined) {
      terms.set(term, { term, category, severity, source, sources: [source] });
      return;
    }
    if (!had.sources.includes(source)) had.sources.push(source);
    if (had.category === null && category !== null) had.category = category;
    // A rated list's severity wins over the default 2 of unrated lists.
    if (source === 'surge-ai' || source === 'dsojevic') had.severity = Math.max(had.severity, severity);
  };

  // Rated lists first, so that their categories and severities win.
  const surge = csvRows(readShared('text/profanity/profanity_en.csv'));
  const head = surge[0];
  const col = (name: string): number => head.indexOf(name);
  for (const r of surge.slice(1)) {
    if (r.length < head.length) continue;
    add(r[col('text')], SURGE_CATEGORY[r[col('category_1')]] ?? null, Number(r[col('severity_rating')]) || 2, 'surge-ai');
  }
  const dsojevic = JSON.parse(readShared('text/profanity-list/en.json')) as { id: string; match: string; tags: string[]; severity: number }[];
  for (const e of dsojevic) {
    const category = e.tags.map((t) => DSOJEVIC_TAG[t]).find((c) => c !== undefined) ?? null;
    // dsojevic severities run 1..4: 1 mild, 2 offensive, 3-4 severe.
    const severity = Math.min(3, Math.max(1, e.severity));
    for (const alt of e.match.split('|')) add(alt, category, severity, 'dsojevic');
  }
  const civitai = (name: string): string[] => JSON.parse(readShared(`text/civitai/src/utils/metadata/lists/${name}.json`)) as string[];
  for (const w of civitai('blocklist-nsfw')) add(w, null, 3, 'civitai');
  for (const w of civitai('blocked-words')) add(w, null, 2, 'civitai');
  const soft = new Set(civitai('words-nsfw-soft').map((w) => plain(w)));
  for (const w of [...civitai('words-nsfw-prompt'), ...civitai('words-nsfw')]) if (!soft.has(plain(w))) add(w, 'sexual', 2, 'civitai');
  const tags = JSON.parse(readShared('text/civitai/src/utils/metadata/lists/prompt-tags.json')) as Record<string, string[]>;
  for (const list of Object.values(tags)) for (const w of list) add(w, 'sexual', 2, 'civitai');
  for (const line of readShared('text/hate-speech-and-offensive-language/lexicons/refined_ngram_dict.csv').split(/\r?\n/u).slice(1)) {
    const [ngram, share] = line.split(',');
    if (ngram && Number(share) >= 0.6) add(ngram, 'hate', 2, 'davidson');
  }
  const lines = (text: string): string[] => text.split(/\r?\n/u).filter((l) => l.trim() !== '');
  for (const w of lines(readShared('text/google-profanity-words/data/en.txt'))) add(w, null, 2, 'google');
  for (const w of lines(readShared('text/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words/en'))) add(w, null, 2, 'ldnoobw');

  // npm lists.
  for (const w of JSON.parse(readModule('naughty-words/en.json')) as string[]) add(w, null, 2, 'naughty-words');
  for (const w of lines(readModule('@coffeeandfun/google-profanity-words/data/en.txt'))) add(w, null, 2, 'google-profanity-words');
  // cuss: `word: rating` (0 not profane, 1 maybe, 2 likely); only rating 2.
  for (const m of readModule('cuss/index.js').matchAll(/^\s+(?:'([^']+)'|([\w-]+)):\s*(\d)/gmu)) if (Number(m[3]) === 2) add(m[1] ?? m[2], null, 2, 'cuss');
  for (const m of readModule('bad-words/dist/lang.js').matchAll(/'([^']+)'/gu)) add(m[1], null, 2, 'bad-words');
  for (const w of JSON.parse(readModule('leo-profanity/dictionary/default.json')) as string[]) add(w, null, 2, 'leo-profanity');

  return [...terms.values()];
}

/** Civitai's whitelist: innocent words with profane substrings ("analysis", "scunthorpe"): safe look-alikes. */
export function loadWhitelist(): string[] {
  return (JSON.parse(readShared('text/civitai/src/utils/metadata/lists/whitelist-words.json')) as string[]).map((w) => plain(w)).filter((w): w is string => w !== null);
}
