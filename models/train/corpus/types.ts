/** Shared vocabulary of the corpus generator: categories, styles, and the pieces a prompt is built from. */

export const CATEGORIES = ['sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal-activity'] as const;
export type Category = (typeof CATEGORIES)[number];

/** How users write prompts: COCO-like sentences, lexica/Midjourney-style, booru-like tags, 2-5 words. */
export const STYLES = ['caption', 'artstyle', 'tags', 'short'] as const;
export type Style = (typeof STYLES)[number];

export type SubjectKind = 'person' | 'group' | 'animal' | 'thing' | 'scenery';
export type SettingKind = 'indoor' | 'urban' | 'nature' | 'water' | 'fantasy';
/** f, m, n (singular they), p (plural), i (animals and things: its). */
export type Gender = 'f' | 'm' | 'n' | 'p' | 'i';

/**
 * One piece of a prompt in the three surface forms the renderers need.
 * text: as it reads in a sentence ("cutting {pos} wrists with a razor blade"; {pos} {obj} {refl} are
 *       filled from the subject's gender); short: at most 3 words, for the 2-5 word style; tag: one or more
 *       comma-separated tags.
 */
export interface Phrase {
  text: string;
  short: string;
  tag: string;
}

export interface Subject {
  /** Group key for the calibration split (the head noun, e.g. "nurse"). */
  group: string;
  kind: SubjectKind;
  /** Determiner written before any adjective: '' means a/an chosen from the next word; '-' means none. */
  det: string;
  /** Adjectives that come before an added unsafe adjective ("old"), may be empty. */
  desc: string;
  head: string;
  /** Post-modifier ("with red hair"), may be empty. */
  post: string;
  short: string;
  tags: string[];
  gender: Gender;
  minor: boolean;
  /** Never combined with sexual concepts (ambiguous age, religious office, fictional child-like figures). */
  noSexual: boolean;
  /** Things: found outdoors (a park bench). Animals: also at home in a city street. */
  outdoor?: boolean;
}

export interface Setting {
  group: string;
  text: string;
  short: string;
  tags: string[];
  kind: SettingKind;
  /** Schools, playgrounds: used only for safe prompts and non-sexual bullying. */
  kidZone: boolean;
}

export type Slot = 'pre' | 'attire' | 'action' | 'extra' | 'object';

export interface Concept {
  category: Category;
  slot: Slot;
  unsafe: Phrase;
  /** The minimal safe counterpart in the same slot, or null: the safe prompt simply omits the concept. */
  safe: Phrase | null;
  targets: SubjectKind[];
  where: SettingKind[] | null;
  allowMinor: boolean;
  /** Drop any clothing phrase from both prompts (e.g. "nude" next to "wearing a coat"). */
  dropAttire: boolean;
  /** Only for subjects of this gender ("flashing her breasts"). */
  only: 'f' | 'm' | null;
  /** Scenery subjects may be food ("a bowl of ramen crawling with maggots"). */
  food: boolean | 'only';
}

/** A prompt before rendering: a subject (or a whole object phrase) with optional slots. */
export interface Scene {
  subject: Subject | null;
  object: Phrase | null;
  pre: Phrase | null;
  attire: Phrase | null;
  action: Phrase | null;
  extra: Phrase | null;
  setting: Setting | null;
  /** Unsafe-only intensifier tags ("gore", "nsfw"), rendered by the artstyle and tags styles. */
  boost: string[];
}
