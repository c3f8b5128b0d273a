/**
 * Builds a category's concept list from compact specs: "unsafe => safe", each side "text | short | tag"
 * (see phrase() in ../text.ts). A missing safe side means the safe prompt simply leaves the concept out.
 */
import { phrase } from '../text';
import type { Category, Concept, SettingKind, Slot, SubjectKind } from '../types';

export interface ConceptOptions {
  targets?: SubjectKind[];
  where?: SettingKind[];
  /** Allowed with minors (non-sexual bullying only). */
  minor?: boolean;
  keepAttire?: boolean;
  only?: 'f' | 'm';
  /** Scenery subjects may be food. */
  food?: boolean | 'only';
}

const DEFAULT_TARGETS: Record<Slot, SubjectKind[]> = {
  pre: ['person', 'group'],
  attire: ['person'],
  action: ['person'],
  extra: ['person'],
  object: [],
};

export interface CategoryDefaults {
  dropAttire: boolean;
}

export class LexiconBuilder {
  readonly concepts: Concept[] = [];

  constructor(
    readonly category: Category,
    private readonly defaults: CategoryDefaults,
  ) {}

  private add(slot: Slot, spec: string, o: ConceptOptions): this {
    const [u, s] = spec.split('=>').map((x) => x.trim());
    const safe = s ? phrase(s) : null;
    if (slot === 'object' && !safe) throw new Error(`${this.category}: object concept needs a safe counterpart: ${spec}`);
    this.concepts.push({
      category: this.category,
      slot,
      unsafe: phrase(u),
      safe,
      targets: o.targets ?? DEFAULT_TARGETS[slot],
      where: o.where ?? null,
      allowMinor: o.minor ?? false,
      dropAttire: o.keepAttire ? false : this.defaults.dropAttire || slot === 'attire',
      only: o.only ?? null,
      food: o.food ?? false,
    });
    return this;
  }

  /** An adjective before the subject: "a nude woman". */
  pre(spec: string, o: ConceptOptions = {}): this {
    return this.add('pre', spec, o);
  }
  /** Clothing: "wearing a kkk robe". */
  attire(spec: string, o: ConceptOptions = {}): this {
    return this.add('attire', spec, o);
  }
  /** What the subject does: "snorting cocaine". */
  action(spec: string, o: ConceptOptions = {}): this {
    return this.add('action', spec, o);
  }
  /** A phrase after subject/action: "covered in blood", "with a noose hanging from the ceiling". */
  extra(spec: string, o: ConceptOptions = {}): this {
    return this.add('extra', spec, o);
  }
  /** A whole scene with no separate subject: "a meth lab". */
  object(spec: string, o: ConceptOptions = {}): this {
    return this.add('object', spec, o);
  }
}
