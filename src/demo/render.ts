/**
 * The demo backend's "generated" image: no diffusion model, a picture of the prompt the backend received,
 * drawn as SVG text and rendered to PNG by sharp (librsvg). Dark text on a pale background with a thin
 * frame: the kind of image the gateway's image post-check judges safe, so it passes.
 *
 * The pixels depend only on the prompt and the size (a client can see which text the backend got); the
 * infotext, A1111's "parameters" PNG text chunk, carries the prompt, seed and settings.
 */
import sharp from 'sharp';
import { withPngText } from './png-text';

/** Text that XML 1.0 can hold, escaped for an SVG text node: controls become spaces. */
function xmlText(s: string): string {
  return s
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ') // lone surrogates
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Greedy word wrap to lines of at most `perLine` characters (longer words are cut), at most `maxLines`
 * lines; a text that does not fit ends its last line with an ellipsis.
 */
export function wrapText(text: string, perLine: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean).flatMap((w) => (w.length <= perLine ? [w] : w.match(new RegExp(`.{1,${perLine}}`, 'gsu')) ?? [w]));
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + w.length <= perLine) lines[last] += ` ${w}`;
    else lines.push(w);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1].slice(0, Math.max(0, perLine - 1))}…`;
  return kept;
}

/**
 * The SVG of the picture. Font size is a 16th of the smaller side (at least 8 px); a DejaVu Sans glyph is
 * about 0.55 em wide on average, which sets the characters per line.
 */
export function promptSvg(prompt: string, width: number, height: number): string {
  const side = Math.min(width, height);
  const font = Math.max(8, Math.round(side / 16));
  const margin = Math.max(4, Math.round(side / 16));
  const perLine = Math.max(4, Math.floor((width - 2 * margin) / (font * 0.55)));
  const lineHeight = Math.round(font * 1.3);
  const caption = Math.max(6, Math.round(font * 0.6));
  const maxLines = Math.max(1, Math.floor((height - 2 * margin - 2 * caption) / lineHeight));
  const lines = wrapText(prompt, perLine, maxLines);
  const top = margin + font;
  const tspans = lines.map((l, i) => `<tspan x="${margin}" y="${top + i * lineHeight}">${xmlText(l)}</tspan>`).join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#eef2f6"/>`,
    `<rect x="${margin / 4}" y="${margin / 4}" width="${width - margin / 2}" height="${height - margin / 2}" fill="none" stroke="#9fb0c2" stroke-width="${Math.max(1, Math.round(side / 256))}"/>`,
    `<text font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="#1f2a36">${tspans}</text>`,
    `<text x="${margin}" y="${height - margin}" font-family="DejaVu Sans, sans-serif" font-size="${caption}" fill="#5d6d7e">demo backend: the prompt it received</text>`,
    '</svg>',
  ].join('');
}

/** A width x height RGB PNG showing `prompt`, with `infotext` in its "parameters" text chunk (as A1111). */
export async function renderPromptPng(prompt: string, width: number, height: number, infotext: string): Promise<Buffer> {
  const png = await sharp(Buffer.from(promptSvg(prompt, width, height)), { density: 72 }).resize(width, height, { fit: 'fill' }).removeAlpha().png().toBuffer();
  return withPngText(png, 'parameters', infotext);
}
