/**
 * The keyword-filter baselines, each with its default English word list and settings: a text counts as
 * flagged when the filter reports profanity in it. Installed in models/eval/node_modules only (evaluation
 * dependencies; the gateway never loads them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { Filter } from 'bad-words';
import leoProfanity from 'leo-profanity';

export interface KeywordFilter {
  name: string;
  version: string;
  /** What "flagged" means for this filter, for the report. */
  rule: string;
  flags(text: string): boolean;
}

function versionOf(pkg: string): string {
  try {
    const file = path.join(__dirname, 'node_modules', pkg, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

export function keywordFilters(): KeywordFilter[] {
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
  ];
}
