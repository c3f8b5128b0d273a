/**
 * The decoration vocabulary of real prompts: mediums, artists, photographers, camera and lighting terms,
 * quality boosters and booru-style tags. A Deco is sampled once per pair and applied to both prompts, so
 * the safe and unsafe prompt of a pair differ only in the unsafe concept.
 */
import type { Rng } from './prng';
import type { Style, SubjectKind } from './types';

/** How often each style is drawn, for pairs and the pool. */
export const STYLE_WEIGHTS: [Style, number][] = [
  ['caption', 30],
  ['artstyle', 30],
  ['tags', 20],
  ['short', 20],
];

export type Family = 'painting' | 'photo' | 'illustration' | 'anime' | 'render3d' | 'film' | 'portrait' | 'none';

export const LEADS: Record<Family, string[]> = {
  painting: [
    'oil painting of', 'an oil painting of', 'a watercolor painting of', 'acrylic painting of', 'impressionist painting of',
    'a gouache painting of', 'digital painting of', 'a renaissance painting of', 'a baroque painting of',
    'an expressionist painting of', 'matte painting of', 'a romanticism painting of', 'a tempera painting of',
    'a palette knife painting of', 'a pastel drawing of', 'an art nouveau painting of', 'a surrealist painting of',
  ],
  photo: [
    'a photo of', 'cinematic photo of', 'a polaroid photo of', 'a candid photo of', 'a 35mm film photo of',
    'street photography of', 'documentary photo of', 'a hyperrealistic photograph of', 'a black and white photo of',
    'editorial photo of', 'award-winning photo of', 'analog photo of', 'a dslr photo of', 'a drone photo of',
    'a long exposure photo of', 'a vintage photograph of', 'a lomography photo of', 'a smartphone photo of',
  ],
  illustration: [
    'concept art of', 'digital art of', 'a comic book panel of', 'a pencil sketch of', 'a charcoal drawing of',
    'an ink drawing of', 'ukiyo-e print of', 'a vector illustration of', 'pixel art of', 'fantasy art of',
    'a graphic novel illustration of', 'a pop art print of', 'a linocut print of', 'a flat illustration of',
    'a sticker design of', 'a tarot card of', 'a retro poster of', 'a low poly illustration of', 'a line art drawing of',
  ],
  anime: ['an anime illustration of', 'a manga panel of', 'anime screencap of', 'an anime key visual of', 'a cel shaded drawing of'],
  render3d: [
    'a 3d render of', 'a low poly render of', 'a claymation still of', 'an unreal engine render of', 'a blender render of',
    'isometric 3d render of', 'a voxel art render of', 'a zbrush sculpt of',
  ],
  film: ['film still of', 'a movie still of', 'a cinematic shot of', 'a vhs still of', 'a screenshot from a video game of', 'a wide shot of', 'a tv show still of'],
  portrait: ['portrait of', 'a close-up portrait of', 'full body portrait of', 'a character portrait of', 'a studio portrait of', 'a fashion portrait of', 'a side profile portrait of'],
  none: [''],
};

const PAINTERS = [
  'greg rutkowski', 'alphonse mucha', 'artgerm', 'wlop', 'john singer sargent', 'rembrandt', 'johannes vermeer', 'caravaggio',
  'claude monet', 'vincent van gogh', 'gustav klimt', 'edward hopper', 'j.c. leyendecker', 'norman rockwell',
  'william-adolphe bouguereau', 'john william waterhouse', 'thomas kinkade', 'ivan shishkin', 'zdzislaw beksinski',
  'frank frazetta', 'boris vallejo', 'ruan jia', 'craig mullins', 'james gurney', 'jean-leon gerome', 'ivan aivazovsky',
  'peter mohrbacher', 'tom bagshaw', 'charlie bowater', 'loish', 'ross tran', 'magali villeneuve', 'donato giancola',
  'simon stalenhag', 'syd mead', 'moebius', 'h.r. giger', 'james jean', 'krenz cushart', 'jeremy lipking', 'mark ryden',
  'andrew wyeth', 'edvard munch', 'salvador dali', 'rene magritte', 'hieronymus bosch', 'j.m.w. turner', 'caspar david friedrich',
  'albert bierstadt', 'john atkinson grimshaw', 'egon schiele', 'amedeo modigliani', 'frida kahlo', 'henri matisse',
  'wassily kandinsky', 'sargent and leyendecker', 'jakub rozalski', 'anato finnstark', 'raphael lacoste', 'marc simonetti',
  'sparth', 'feng zhu', 'ian mcque', 'karol bak', 'beeple', 'mike mignola', 'jeremy mann', 'gil elvgren', 'alex ross',
];
const PHOTOGRAPHERS = [
  'annie leibovitz', 'steve mccurry', 'peter lindbergh', 'richard avedon', 'dorothea lange', 'henri cartier-bresson',
  'vivian maier', 'gregory crewdson', 'martin parr', 'alex webb', 'sebastiao salgado', 'ansel adams', 'diane arbus',
  'saul leiter', 'fan ho', 'daido moriyama', 'nan goldin', 'brandon woelfel', 'tim walker', 'platon',
];
const ANIME_ARTISTS = ['makoto shinkai', 'ilya kuvshinov', 'studio ghibli', 'kyoto animation', 'hayao miyazaki', 'range murata', 'yoshitaka amano', 'satoshi kon', 'takehiko inoue', 'kentaro miura', 'katsuhiro otomo', 'hirohiko araki'];
const DIRECTORS = ['denis villeneuve', 'wes anderson', 'stanley kubrick', 'ridley scott', 'wong kar-wai', 'david fincher', 'christopher nolan', 'akira kurosawa', 'guillermo del toro', 'roger deakins', 'sofia coppola', 'park chan-wook'];

const QUALITY = [
  'highly detailed', 'intricate', 'elegant', 'sharp focus', '8k', '4k', 'uhd', 'trending on artstation', 'artstation',
  'concept art', 'smooth', 'masterpiece', 'award winning', 'hyperrealistic', 'photorealistic', 'ultra realistic', 'cinematic',
  'dramatic', 'epic composition', 'depth of field', 'high resolution', 'matte', 'illustration', 'beautiful', 'stunning',
  'deviantart', 'cgsociety', 'featured on pixiv', 'ultra detailed', 'insanely detailed', 'professional', 'realistic',
  'detailed face', 'symmetrical', 'hd', 'high quality', 'intricate details', 'fine details', 'trending on pinterest', 'behance hd',
];
const LIGHTING = [
  'golden hour lighting', 'soft lighting', 'dramatic lighting', 'rim lighting', 'volumetric lighting', 'studio lighting',
  'neon lighting', 'moody lighting', 'natural light', 'cinematic lighting', 'backlit', 'god rays', 'low key lighting',
  'warm light', 'blue hour', 'chiaroscuro', 'soft shadows', 'overcast light', 'candlelight', 'harsh flash', 'hazy light',
];
const CAMERA = [
  '35mm', '50mm lens', '85mm lens', 'f/1.8', 'f/2.8', 'f/1.4', 'bokeh', 'shallow depth of field', 'shot on canon eos r5',
  'sony a7 iii', 'nikon d850', 'leica m6', 'kodak portra 400', 'fujifilm superia', 'film grain', 'wide angle', 'telephoto lens',
  'dslr', 'iso 200', 'hasselblad', 'kodak tri-x', 'cinestill 800t', 'ektachrome', 'medium format', '1/250s', 'raw photo',
];
const RENDER = ['octane render', 'unreal engine 5', 'redshift', 'ray tracing', 'blender', 'cinema 4d', 'zbrush', 'subsurface scattering', 'global illumination', 'pbr materials', 'arnold render', 'vray'];
const FILM = ['cinematic', 'film grain', 'anamorphic lens', 'color graded', 'widescreen', '35mm film', 'technicolor', 'letterboxed', 'lens flare'];
const MOOD = ['vibrant colors', 'pastel colors', 'muted tones', 'teal and orange', 'monochrome', 'moody', 'dreamy', 'ethereal', 'gritty', 'whimsical', 'dark fantasy', 'melancholic', 'warm tones', 'cold tones', 'surreal', 'retro', 'minimalist', 'atmospheric'];

const TAG_QUALITY = ['masterpiece', 'best quality', 'high quality', 'ultra detailed', 'highres', 'absurdres', '4k', '8k', 'detailed', 'realistic', 'photorealistic', 'sharp focus', 'intricate', 'hdr', 'uhd'];
const TAG_MEDIUM = ['oil painting', 'watercolor', 'photo', 'anime', 'digital art', '3d render', 'sketch', 'film photo', 'concept art', 'illustration', 'cinematic', 'pixel art', 'comic', 'photography', 'painting', 'manga', 'charcoal', 'ink', 'polaroid', 'unreal engine'];

export interface Deco {
  style: Style;
  /** caption: which wrapper; short: 'prep' or 'comma' setting form. */
  form: string;
  /** artstyle: the lead phrase ("oil painting of"), may be empty. */
  lead: string;
  /** artstyle: trailing modifiers; tags: trailing tags. */
  mods: string[];
  /** tags: leading tags (quality first, as many users type). */
  prefix: string[];
  /** short: whether to try to keep the setting. */
  keepSetting: boolean;
}

function artistMods(rng: Rng, names: string[], max: number): string[] {
  const n = 1 + rng.int(max);
  const who = rng.sample(names, n);
  const form = rng.int(4);
  if (form === 0) return [`by ${who.join(' and ')}`];
  if (form === 1) return [`art by ${who.join(' and ')}`];
  if (form === 2) return [`in the style of ${who[0]}`];
  return who.map((w) => `by ${w}`);
}

function familyFor(rng: Rng, kind: SubjectKind | null): Family {
  const personish = kind === 'person' || kind === 'group';
  return rng.weighted<Family>([
    ['painting', 18], ['photo', 22], ['illustration', 12], ['anime', 5], ['render3d', 6], ['film', 7],
    ['portrait', personish ? 16 : 0], ['none', 18],
  ]);
}

const CAPTION_FORMS: [string, number][] = [
  ['plain', 40], ['sentence', 25], ['a photo of', 8], ['an image of', 4], ['a picture of', 4], ['a close up of', 3],
  ['there is', 5], ['a black and white photo of', 3], ['a view of', 2], ['a blurry photo of', 2], ['an old photo of', 2],
];

/** Samples a decoration for one prompt (or one pair). `kind` is the subject kind, null for object scenes. */
export function sampleDeco(rng: Rng, style: Style, kind: SubjectKind | null): Deco {
  const d: Deco = { style, form: '', lead: '', mods: [], prefix: [], keepSetting: true };
  switch (style) {
    case 'caption':
      d.form = rng.weighted(CAPTION_FORMS);
      if (d.form === 'a view of' && (kind === 'person' || kind === 'group' || kind === 'animal')) d.form = 'plain';
      break;
    case 'artstyle': {
      const fam = familyFor(rng, kind);
      d.lead = rng.pick(LEADS[fam]);
      const m: string[] = [];
      const q = () => rng.sample(QUALITY, 1 + rng.int(5));
      switch (fam) {
        case 'painting':
        case 'portrait':
        case 'none':
          if (fam === 'none' && rng.chance(0.35)) m.push(rng.pick(['digital painting', 'oil on canvas', 'concept art', 'photograph', 'watercolor', 'digital art', 'fantasy art', 'matte painting']));
          m.push(...q());
          if (rng.chance(0.5)) m.push(rng.pick(LIGHTING));
          if (rng.chance(0.3)) m.push(rng.pick(MOOD));
          if (rng.chance(0.8)) m.push(...artistMods(rng, PAINTERS, 3));
          if (rng.chance(0.3)) m.push(rng.pick(RENDER));
          break;
        case 'photo':
          m.push(...rng.sample(CAMERA, 1 + rng.int(3)));
          if (rng.chance(0.6)) m.push(rng.pick(LIGHTING));
          if (rng.chance(0.6)) m.push(...rng.sample(QUALITY, 1 + rng.int(2)));
          if (rng.chance(0.25)) m.push(...artistMods(rng, PHOTOGRAPHERS, 1));
          break;
        case 'illustration':
          m.push(...q());
          if (rng.chance(0.4)) m.push(rng.pick(MOOD));
          if (rng.chance(0.6)) m.push(...artistMods(rng, PAINTERS, 2));
          break;
        case 'anime':
          m.push(...rng.sample(['anime style', 'key visual', 'vibrant', 'detailed', 'pixiv', 'cel shading', 'studio quality', 'makoto shinkai sky'], 1 + rng.int(3)));
          if (rng.chance(0.7)) m.push(...artistMods(rng, ANIME_ARTISTS, 2));
          break;
        case 'render3d':
          m.push(...rng.sample(RENDER, 1 + rng.int(3)), ...rng.sample(QUALITY, rng.int(3)));
          if (rng.chance(0.4)) m.push(rng.pick(LIGHTING));
          break;
        case 'film':
          m.push(...rng.sample(FILM, 1 + rng.int(3)));
          if (rng.chance(0.5)) m.push(`directed by ${rng.pick(DIRECTORS)}`);
          if (rng.chance(0.4)) m.push(rng.pick(LIGHTING));
          break;
      }
      d.mods = [...new Set(m)];
      break;
    }
    case 'tags': {
      if (rng.chance(0.55)) d.prefix = rng.sample(TAG_QUALITY, 1 + rng.int(3));
      const m: string[] = [];
      if (rng.chance(0.7)) m.push(rng.pick(TAG_MEDIUM));
      if (rng.chance(0.4)) m.push(rng.pick(LIGHTING));
      if (rng.chance(0.25)) m.push(rng.pick(MOOD));
      if (!d.prefix.length && rng.chance(0.4)) m.push(...rng.sample(TAG_QUALITY, 1 + rng.int(2)));
      if (rng.chance(0.15)) m.push(`by ${rng.pick([...PAINTERS, ...ANIME_ARTISTS])}`);
      d.mods = m.filter((x) => !d.prefix.includes(x));
      break;
    }
    case 'short':
      d.form = rng.chance(0.7) ? 'prep' : 'comma';
      d.keepSetting = rng.chance(0.75);
      break;
  }
  return d;
}

/** Tag-only vocabulary, re-used by the hard-negative and pool generators. */
export const VOCAB = { PAINTERS, PHOTOGRAPHERS, ANIME_ARTISTS, DIRECTORS, QUALITY, LIGHTING, CAMERA, RENDER, FILM, MOOD, TAG_QUALITY, TAG_MEDIUM };
