/**
 * What one request may cost, and who pays: the per-request budget of model work, and the client key that
 * the cross-request batcher takes turns by (runtime/batcher.ts).
 *
 * The budget is counted as the request asks, before anything it asks for is embedded, by every way in:
 * GraphQL fields and lists (resolvers/content.ts), screened prompts (plugins/prompt-screen), generated images
 * for the post-check (resolvers/generate.ts, the drop-in endpoints), images in the image loader. Three
 * limits, because model work grows with three different things:
 *  - MAX_REQUEST_ITEMS: model inputs (texts + images); each has a fixed cost (a row, a post-check);
 *  - MAX_REQUEST_TEXT_CHARS: characters of text. Tokenising is linear in them (word-tokens.ts states the
 *    bound), and so is the number of token windows a long text is read as (about one 64-token window per
 *    48 tokens beyond the first 64: tokenizers/windows.ts), each a model row. Characters bound both, are known
 *    before any work, and mean the same for every tokenizer;
 *  - MAX_REQUEST_PIXELS: the images' declared width x height (read from the header, nothing decoded), which
 *    decoding and resizing are linear in.
 * A request that goes over any of them fails with BAD_USER_INPUT naming the limit, the amount and the option
 * (extensions.limit is the option's name). The first refusal is kept (`exceeded`): the loaders then refuse
 * every batch of the request, so the fields that were counted before it, in the same tick, are not embedded
 * either (DataLoader dispatches after the resolvers of one selection set have all started).
 */
import type { IncomingMessage } from 'node:http';
import { badInput, type GatewayError } from '../errors';
import type { Tenant } from '../safety/policy-file';

export interface UsageLimits {
  /** MAX_REQUEST_ITEMS */
  maxRequestItems: number;
  /** MAX_REQUEST_TEXT_CHARS */
  maxRequestTextChars: number;
  /** MAX_REQUEST_PIXELS */
  maxRequestPixels: number;
}

export class RequestUsage {
  /** Model inputs (texts + images) counted so far, against MAX_REQUEST_ITEMS. */
  modelInputs = 0;
  /** Characters of text counted so far, against MAX_REQUEST_TEXT_CHARS. */
  textChars = 0;
  /** Declared pixels of images counted so far, against MAX_REQUEST_PIXELS. */
  pixels = 0;
  /** The first budget this request went over; once set, nothing more of the request is embedded. */
  exceeded: GatewayError | null = null;

  constructor(readonly limits: UsageLimits) {}

  /**
   * Counts `n` model inputs (texts, images, generated images for the post-check); throws when over the budget.
   * `note` says what counted, for the message.
   */
  addItems(n: number, note?: string): void {
    const max = this.limits.maxRequestItems;
    if (this.modelInputs + n > max) {
      throw this.refuse(
        badInput(`this request asks for more than ${max} model inputs${note ? ` (${note})` : ''}; allowed: at most ${max} texts and images per request (MAX_REQUEST_ITEMS)`, { limit: 'MAX_REQUEST_ITEMS', max }),
      );
    }
    this.modelInputs += n;
  }

  /** Counts `chars` characters of text (`what` names them for the message); throws when over the budget. */
  addText(chars: number, what = 'texts'): void {
    const max = this.limits.maxRequestTextChars;
    if (this.textChars + chars > max) {
      throw this.refuse(
        badInput(
          `this request asks the model to read more than ${max} characters of text (${this.textChars + chars} with ${what}); allowed: at most ${max} characters per request over all fields, lists and prompts (MAX_REQUEST_TEXT_CHARS)`,
          { limit: 'MAX_REQUEST_TEXT_CHARS', max },
        ),
      );
    }
    this.textChars += chars;
  }

  /** Counts an image's declared pixels; throws when over the budget. */
  addPixels(pixels: number, what = 'an image'): void {
    const max = this.limits.maxRequestPixels;
    if (this.pixels + pixels > max) {
      throw this.refuse(
        badInput(
          `this request asks the model to read more than ${max} pixels of images (${this.pixels + pixels} with ${what}); allowed: at most ${max} pixels (declared width x height) per request over all images (MAX_REQUEST_PIXELS)`,
          { limit: 'MAX_REQUEST_PIXELS', max },
        ),
      );
    }
    this.pixels += pixels;
  }

  /** Records `e` as the request's budget refusal (the first one wins) and returns it, for `throw`. */
  refuse(e: GatewayError): GatewayError {
    this.exceeded ??= e;
    return e;
  }
}

/**
 * Who a request is, for fair turns in the batcher: its API key's name when it has one, otherwise the client
 * address (the socket's peer; X-Forwarded-For is not trusted, since any client can set it). The same rule
 * as the rate limiter's (server/http.ts).
 */
export function clientKey(tenant: Tenant | null, req: IncomingMessage): string {
  if (tenant?.name) return `key:${tenant.name}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}
