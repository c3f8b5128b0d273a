/**
 * Validates a ContentInput / RedirectInput and embeds it through the request's DataLoaders.
 * The contract: exactly one of `text` or `image`; text non-empty, well-formed, within the length limit;
 * image base64 or a data: URL within the byte and pixel limits.
 */
import { badInput } from '../errors';
import { imageKey } from '../loaders';
import { decodeImageInput } from '../runtime/image';
import type { ModalityName } from '../safety/verdict';
import type { GatewayContext } from '../server/context';

export interface ContentLike {
  text?: string | null;
  image?: { base64: string } | null;
}

export interface Embedded {
  modality: ModalityName;
  vec: Float32Array;
  text: string | null;
}

/** Checks a text against the contract; returns it unchanged. */
export function checkText(text: string, maxLength: number, field = 'text'): string {
  if (text.trim().length === 0) throw badInput(`${field} is empty; allowed: a non-empty string of at most ${maxLength} characters`);
  if (text.length > maxLength) throw badInput(`${field} has ${text.length} characters; allowed: at most ${maxLength} (MAX_TEXT_LENGTH)`);
  if (!text.isWellFormed()) throw badInput(`${field} contains a lone UTF-16 surrogate; allowed: well-formed Unicode text`);
  return text;
}

export async function embedContent(input: ContentLike, ctx: GatewayContext, field = 'input'): Promise<Embedded> {
  const hasText = input.text !== undefined && input.text !== null;
  const hasImage = input.image !== undefined && input.image !== null;
  if (hasText === hasImage) {
    throw badInput(`${field} has ${hasText ? 'both text and image' : 'neither text nor image'}; allowed: exactly one of text or image`);
  }
  const { config } = ctx.services;
  // Counted before the load, so that a request over its budget (server/usage.ts) has nothing embedded: the
  // loaders refuse every batch of a request once `usage.exceeded` is set.
  ctx.usage.addItems(1);
  if (hasText) {
    const text = checkText(input.text!, config.maxTextLength, `${field}.text`);
    ctx.usage.addText(text.length, `${field}.text`);
    return { modality: 'TEXT', vec: await ctx.loaders.text.load(text), text };
  }
  const bytes = decodeImageInput(input.image!.base64, ctx.services.imageLimits);
  return { modality: 'IMAGE', vec: await ctx.loaders.image.load(imageKey(bytes)), text: null };
}

export function checkListLength(n: number, max: number, field: string): void {
  if (n > max) throw badInput(`${field} has ${n} items; allowed: at most ${max} (MAX_LIST_ITEMS)`);
}
