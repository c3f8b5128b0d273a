/** Builds safe base scenes and applies an unsafe concept (or its safe counterpart) to them. */
import { actionsFor, pickFitting, SAFE_ATTIRE } from './actions';
import type { Rng } from './prng';
import { pickSetting } from './settings';
import { KID_OK, pickSubject, THING_EXTRAS } from './subjects';
import { phrase } from './text';
import type { Concept, Phrase, Scene, SettingKind, SubjectKind } from './types';

export interface BaseOptions {
  kind: SubjectKind | null;
  allowMinor: boolean;
  sexual: boolean;
  pool: boolean;
  where: SettingKind[] | null;
  only: 'f' | 'm' | null;
  food?: boolean | 'only';
  requireMinor?: boolean;
}

const THING_EXTRA_PHRASES: Phrase[] = THING_EXTRAS.map((t) => phrase(`${t} | ${t.replace(/^with (an? |two |some )?/, '').split(' ').slice(0, 3).join(' ')} | ${t.replace(/^with (an? )?/, '')}`));

export function emptyScene(): Scene {
  return { subject: null, object: null, pre: null, attire: null, action: null, extra: null, setting: null, boost: [] };
}

/** A safe scene around a subject of the given kind (or, kind null, with only a setting: object scenes). */
export function baseScene(rng: Rng, o: BaseOptions): Scene {
  const s = emptyScene();
  const pickO = { allowMinor: o.allowMinor, sexual: o.sexual, pool: o.pool, food: o.food, requireMinor: o.requireMinor };
  if (o.kind) {
    let subject = pickSubject(rng, o.kind, pickO);
    for (let i = 0; o.only && subject.gender !== o.only && i < 200; i++) subject = pickSubject(rng, o.kind, pickO);
    if (o.only && subject.gender !== o.only) throw new Error(`no ${o.only} subject of kind ${o.kind}`);
    s.subject = subject;
  }
  const kind = o.kind;
  // Scenery is itself a place; everything else usually gets one.
  // where = [] means the concept names its own place ("a meth lab"): no setting at all.
  const placeless = !!o.where && o.where.length === 0;
  if (!placeless && kind !== 'scenery' && (kind === null || rng.chance(kind === 'thing' ? 0.3 : 0.85))) {
    const kidZones = o.allowMinor && !o.sexual && (o.pool || !!s.subject?.minor || rng.chance(0.3));
    let where: SettingKind[] | null = o.where;
    if (kind === 'thing') where = s.subject?.outdoor ? ['urban', 'nature', 'water'] : ['indoor'];
    else if (kind === 'animal') where = (o.where ?? ['nature', 'water', 'urban']).filter((k) => (k !== 'indoor' || o.pool) && (k !== 'urban' || !!s.subject?.outdoor));
    if (where && where.length === 0) where = ['nature'];
    s.setting = pickSetting(rng, { where, kidZones: kidZones && kind !== 'thing', timeP: kind === 'thing' ? 0.1 : 0.3, noAdultPlaces: o.allowMinor });
  }
  const g = s.subject?.gender ?? 'n';
  if (kind === 'person' && rng.chance(0.3)) s.attire = pickFitting(rng, s.subject?.minor ? SAFE_ATTIRE.filter((a) => KID_OK.test(a.text)) : SAFE_ATTIRE, null, g);
  if (kind === 'person' || kind === 'group' || kind === 'animal') {
    if (rng.chance(kind === 'animal' ? 0.55 : 0.6)) s.action = pickFitting(rng, actionsFor(kind), s.setting?.kind ?? null, g);
  }
  if (kind === 'thing' && rng.chance(0.75)) s.extra = rng.pick(THING_EXTRA_PHRASES);
  return s;
}

/** The scene with a phrase put into the concept's slot (replacing what was there). */
export function withSlot(base: Scene, c: Concept, p: Phrase | null): Scene {
  const s: Scene = { ...base, boost: [...base.boost] };
  if (c.dropAttire) s.attire = null;
  switch (c.slot) {
    case 'pre':
      s.pre = p;
      break;
    case 'attire':
      s.attire = p;
      break;
    case 'action':
      s.action = p ?? base.action;
      break;
    case 'extra':
      s.extra = p ?? (base.subject?.kind === 'thing' ? base.extra : null);
      break;
    case 'object':
      s.object = p;
      break;
  }
  return s;
}
