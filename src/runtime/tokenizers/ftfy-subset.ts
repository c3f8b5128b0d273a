/**
 * The part of `ftfy.fix_text` (ftfy 6.3, default `TextFixerConfig`) that OpenAI CLIP's tokenizer depends on,
 * ported step for step so that CLIP token ids match the reference.
 *
 * ftfy fixes text line by line (a segment ends after each '\n'). Within a segment it repeats, until nothing
 * changes: unescape_html -> fix_encoding -> fix_c1_controls -> fix_latin_ligatures -> fix_character_width ->
 * uncurl_quotes -> fix_line_breaks -> fix_surrogates -> remove_terminal_escapes -> remove_control_chars ->
 * NFC. `unescape_html` is "auto": it is switched off for the segment that first contains '<' and for every
 * segment after it (ftfy keeps the changed config), because such text is probably HTML source.
 *
 * NOT implemented: `fix_encoding`, ftfy's mojibake repair ("CafÃ©" -> "Café", with restore_byte_a0,
 * replace_lossy_sequences, decode_inconsistent_utf8). It is a heuristic over ten single-byte codecs and a
 * "badness" regex, and it only acts on text that already looks broken; correctly encoded prompts never
 * reach it. For mojibake input our ids can differ from OpenAI's; C1 control characters are still fixed by
 * fix_c1_controls below, which is where fix_encoding ends for most of them anyway.
 * Also not reproduced: `max_decode_length` (segments are cut every 1,000,000 code points; prompts are
 * far shorter) and differences of Unicode version between Python's and Node's tables.
 */
import { html5Entities, htmlUnescape } from './html-unescape';

/** Windows-1252 for bytes 0x80..0x9F, "sloppy": the five undefined bytes map to themselves (ftfy's codec). */
const CP1252_C1 =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/** ftfy's LIGATURES: Latin ligatures and legacy digraphs, not the ones (like æ) used on purpose. */
const LIGATURES: Record<string, string> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\u0149': '\u02bcn', '\u01f1': 'DZ', '\u01f2': 'Dz', '\u01f3': 'dz',
  '\u01c4': 'D\u017d', '\u01c5': 'D\u017e', '\u01c6': 'd\u017e', '\u01c7': 'LJ', '\u01c8': 'Lj', '\u01c9': 'lj',
  '\u01ca': 'NJ', '\u01cb': 'Nj', '\u01cc': 'nj', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi',
  '\ufb04': 'ffl', '\ufb05': '\u017ft', '\ufb06': 'st',
};
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

/** ftfy's WIDTH_MAP: U+3000 -> ' ', and each of U+FF01..U+FFEF whose NFKC form differs, to that form. */
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
function widthReplacement(ch: string): string {
  if (ch === '\u3000') return ' ';
  return ch.normalize('NFKC');
}

const C1_RE = /[\x80-\x9f]/g;
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const LINE_BREAK_RE = /\r\n|[\r\u2028\u2029\x85]/g;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** ftfy's ANSI_RE; Python's `\d` is any decimal digit (Nd), not only 0-9. */
const ANSI_RE = /\x1b\[(?:\p{Nd}|;)*[a-zA-Z]/gu;
/** ftfy's CONTROL_CHARS: C0 controls but \t \n \f \r, DEL, deprecated Arabic format controls, BOM, U+FFF9..FFFC. */
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/** ftfy's HTML_ENTITY_RE: only `&...;` with a semicolon, at most 24 name characters. */
const FTFY_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;
let ftfyEntities: Map<string, string> | undefined;

/**
 * ftfy's HTML_ENTITIES: every HTML5 name that ends in ';', plus the ALL-CAPS spelling of each lower-case
 * name whose capitalised form is not itself an entity (`&EACUTE;` -> 'É'). Built on first use.
 */
function ftfyEntityTable(): Map<string, string> {
  if (ftfyEntities) return ftfyEntities;
  const table = new Map<string, string>();
  for (const [name, char] of html5Entities()) {
    if (!name.endsWith(';')) continue;
    table.set('&' + name, char);
    if (name === name.toLowerCase()) {
      const upper = '&' + name.toUpperCase();
      if (htmlUnescape(upper) === upper) table.set(upper, char.toUpperCase());
    }
  }
  ftfyEntities = table;
  return table;
}

function ftfyUnescapeFixup(entity: string): string {
  const known = ftfyEntityTable().get(entity);
  if (known !== undefined) return known;
  if (entity.startsWith('&#')) {
    const unescaped = htmlUnescape(entity);
    // If html.unescape only decoded part of it (the ';' survived), ftfy keeps the original.
    return unescaped.includes(';') ? entity : unescaped;
  }
  return entity;
}

/** One pass of ftfy's fixers over one segment (fix_encoding omitted, see above). */
function fixOnce(text: string, unescapeHtml: boolean): string {
  let t = text;
  if (unescapeHtml && t.includes('&')) t = t.replace(FTFY_ENTITY_RE, ftfyUnescapeFixup);
  t = t.replace(C1_RE, (ch) => CP1252_C1[ch.charCodeAt(0) - 0x80]);
  t = t.replace(LIGATURE_RE, (ch) => LIGATURES[ch]);
  t = t.replace(WIDTH_RE, widthReplacement);
  t = t.replace(DOUBLE_QUOTE_RE, '"').replace(SINGLE_QUOTE_RE, "'");
  t = t.replace(LINE_BREAK_RE, '\n');
  t = t.replace(LONE_SURROGATE_RE, '\ufffd');
  t = t.replace(ANSI_RE, '');
  t = t.replace(CONTROL_RE, '');
  return t.normalize('NFC');
}

function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const fixed = fixOnce(text, unescapeHtml);
    if (fixed === text) return fixed;
    text = fixed;
  }
}

/** `ftfy.fix_text(text)` with default settings, less `fix_encoding` (see the module comment). */
export function fixText(text: string): string {
  let unescapeHtml = true; // "auto" until a segment holding '<' is seen
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos) + 1;
    if (end === 0) end = text.length;
    const segment = text.slice(pos, end);
    if (unescapeHtml && segment.includes('<')) unescapeHtml = false;
    out += fixSegment(segment, unescapeHtml);
    pos = end;
  }
  return out;
}
