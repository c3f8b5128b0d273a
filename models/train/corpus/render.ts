/** Turns a Scene into prompt text in one of the four styles. */
import type { Deco } from './styles';
import { subjectPhrase } from './subjects';
import { capitalize, pronouns, tidy, words } from './text';
import type { Gender, Phrase, Scene, Slot } from './types';

function gender(s: Scene): Gender {
  return s.subject ? s.subject.gender : 'i';
}

/** The noun phrase and its sentence continuation: "a nude woman wearing ... on a beach". */
export function sentenceCore(s: Scene): string {
  const g = gender(s);
  const np = s.subject ? subjectPhrase(s.subject, s.pre?.text ?? null) : (s.object as Phrase).text;
  const parts = [np, s.attire?.text, s.action?.text, s.extra?.text, s.setting?.text].filter(Boolean) as string[];
  return tidy(pronouns(parts.join(' '), g));
}

function caption(s: Scene, d: Deco): string {
  const core = sentenceCore(s);
  switch (d.form) {
    case 'plain':
      return core;
    case 'sentence':
      return `${capitalize(core)}.`;
    case 'there is': {
      const plural = s.subject?.gender === 'p' && (s.subject.det === '-' || /^(two|three|four)$/.test(s.subject.det));
      const bare = !s.subject && !/^(an?|the) /.test(core);
      return `${plural || bare ? 'there are' : 'there is'} ${core}`;
    }
    default:
      return `${d.form} ${core}`;
  }
}

function artstyle(s: Scene, d: Deco): string {
  const core = sentenceCore(s);
  const head = d.lead ? `${d.lead} ${core}` : core;
  const mods = [...s.boost, ...d.mods];
  return tidy([head, ...mods].join(', '));
}

function tagList(p: Phrase | null, g: Gender): string[] {
  return p ? pronouns(p.tag, g).split(',').map((t) => t.trim()).filter(Boolean) : [];
}

function tags(s: Scene, d: Deco): string[] {
  const g = gender(s);
  const out: string[] = [...d.prefix];
  if (s.subject) out.push(...tagList(s.pre, g), ...s.subject.tags.map((t) => pronouns(t, g)));
  else out.push(...tagList(s.object, g));
  out.push(...tagList(s.attire, g), ...tagList(s.action, g), ...tagList(s.extra, g));
  if (s.setting) out.push(...s.setting.tags);
  out.push(...s.boost, ...d.mods);
  return [...new Set(out.map((t) => t.toLowerCase()))];
}

/** The slot shown in the short style besides subject and setting. */
function shortFocus(s: Scene, focus: Slot | null): Phrase | null {
  if (focus === 'attire') return s.attire;
  if (focus === 'action') return s.action;
  if (focus === 'extra') return s.extra;
  if (focus === 'pre' || focus === 'object') return null;
  return s.action ?? s.attire ?? s.extra;
}

/** 2-5 words: "[pre] subject [focus] [setting]". keepSetting=false drops the setting. */
export function shortText(s: Scene, d: Deco, focus: Slot | null, keepSetting: boolean): string {
  const g = gender(s);
  const head = s.subject ? [s.pre?.short, s.subject.short].filter(Boolean).join(' ') : (s.object as Phrase).short;
  const f = shortFocus(s, focus);
  let fs = f ? pronouns(f.short, g) : '';
  // Telegraphic but readable: "man in kkk robes", "skateboarder with knife in chest".
  if (fs && f === s.attire && !/^(in|wearing|with)\b/.test(fs)) fs = `in ${fs}`;
  if (fs && f === s.extra && !/^(in|with|covered|being|crying|surrounded|next|during|while|holding|lying|bleeding|vomiting|half|mocked|stalked|spat|shoved|pointed|followed|crawling|littered|dusted|shot|lynched|under|after|among|beaten|greeted|hugged|waved|praised|high)\b/.test(fs)) fs = `with ${fs}`;
  let text = [head, fs].filter(Boolean).join(' ');
  if (keepSetting && s.setting) text = d.form === 'comma' ? `${text}, ${s.setting.tags[0]}` : `${text} ${s.setting.short}`;
  return tidy(text);
}

export function render(s: Scene, d: Deco, focus: Slot | null = null): string {
  switch (d.style) {
    case 'caption':
      return caption(s, d);
    case 'artstyle':
      return artstyle(s, d);
    case 'tags':
      return tags(s, d).join(', ');
    case 'short':
      return shortText(s, d, focus, d.keepSetting);
  }
}

export function shortWordCount(text: string): number {
  return words(text.replace(/,/g, ' ')).length;
}
