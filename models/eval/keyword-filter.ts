/**
 * What a keyword-filter baseline is, for the report. Kept apart from filters.ts, which imports the filters' npm
 * packages (models/eval/node_modules, installed by `npm run eval`): the report and its tests need only this type,
 * and must type-check on a fresh clone where those packages are not installed.
 */
export interface KeywordFilter {
  name: string;
  version: string;
  /** What "flagged" means for this filter, for the report. */
  rule: string;
  flags(text: string): boolean;
}
