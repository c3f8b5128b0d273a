/**
 * The keyword-filter baselines, each with its default English word list and settings: a text counts as
 * flagged when the filter reports profanity in it. Installed in models/eval/node_modules only (evaluation
 * dependencies; the gateway never loads them). The three plain word lists (naughty-words, Google's list,
 * cuss) ship data without a matcher of note, so they go through one whole-word matcher (word-list.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { Filter } from 'bad-words';
import leoProfanity from 'leo-profanity';
import { wordListMatcher } from './word-list';

import type { KeywordFilter } from './keyword-filter';

export type { KeywordFilter } from './keyword-filter';

function versionOf(pkg: string): string {
  try {
    const file = path.join(__dirname, 'node_modules', pkg, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

/** cuss rates each word 0 (likely not profane), 1 (maybe) or 2 (likely); the filter uses words rated 1 or 2. */
export const CUSS_MIN_RATING = 1;

export async function keywordFilters(): Promise<KeywordFilter[]> {
  // cuss is an ES module only; a dynamic import loads it from CommonJS.
  const { cuss } = (await import('cuss')) as { cuss: Record<string, number> };
  const googleFile = path.join(__dirname, 'node_modules', '@coffeeandfun', 'google-profanity-words', 'data', 'en.txt');
  const googleWords = fs.readFileSync(googleFile, 'utf8').split(/\r?\n/);
  // naughty-words ships no types: its export is { [language]: string[] }.
  const naughty = wordListMatcher((require('naughty-words') as { en: string[] }).en);
  const google = wordListMatcher(googleWords);
  const cussSure = wordListMatcher(Object.entries(cuss).filter(([, r]) => r >= CUSS_MIN_RATING).map(([w]) => w));
  const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const badWords = new Filter();
  leoProfanity.loadDictionary('en');
  return [
    {
      name: 'obscenity',
      version: versionOf('obscenity'),
      rule: 'RegExpMatcher(englishDataset + englishRecommendedTransformers).hasMatch(text)',
      flags: (t) => matcher.hasMatch(t),
    },
    {
      name: 'bad-words',
      version: versionOf('bad-words'),
      rule: 'new Filter().isProfane(text)',
      flags: (t) => badWords.isProfane(t),
    },
    {
      name: 'leo-profanity',
      version: versionOf('leo-profanity'),
      rule: "check(text) with the 'en' dictionary",
      flags: (t) => leoProfanity.check(t),
    },
    {
      name: 'naughty-words',
      version: versionOf('naughty-words'),
      rule: "any entry of require('naughty-words').en (LDNOOBW) as a whole word/phrase, case-insensitive",
      flags: naughty,
    },
    {
      name: 'google-profanity-words',
      version: versionOf('@coffeeandfun/google-profanity-words'),
      rule: 'any line of data/en.txt (the list its ProfanityEngine loads) as a whole word/phrase, case-insensitive',
      flags: google,
    },
    {
      name: 'cuss',
      version: versionOf('cuss'),
      rule: `any word cuss rates >= ${CUSS_MIN_RATING} (maybe or likely profane) as a whole word/phrase, case-insensitive`,
      flags: cussSure,
    },
  ];
}
