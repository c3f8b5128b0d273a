/**
 * One request's prompt screen: a cache of decisions by prompt text (a prompt repeated across fields is
 * screened once), the record of which field call got which decision (for its resolver and for the
 * response's extensions), and the batch entry point the Apollo hook uses to screen everything up front.
 */
import { badInput, type GatewayError } from '../../src/errors';
import type { PromptDecision, PromptScreening, ScreenedArgument } from '../../src/safety/decisions';
import type { RequestScope } from '../types';
import type { PromptScreener } from './screener';

/** The part of the request's budget (src/server/usage.ts RequestUsage) the screen counts against. */
export interface ScreenUsage {
  modelInputs: number;
  /** Counts characters of text; throws BAD_USER_INPUT (MAX_REQUEST_TEXT_CHARS) when over. */
  addText?(chars: number, what: string): void;
  /** Records a refusal as the request's (so its loaders embed nothing more) and returns it. */
  refuse?(e: GatewayError): GatewayError;
}

export interface ScreenedField {
  responsePath: string;
  argument: string;
  decision: PromptDecision;
}

export class RequestPromptScreening implements PromptScreening {
  // Made on first use: every GraphQL request gets a screen, most never screen anything (a WeakMap per
  // request is also extra work for the young-generation GC).
  private decisionsMap: Map<string, Promise<PromptDecision>> | null = null;
  private byArgsMap: WeakMap<object, ScreenedArgument[]> | null = null;
  /** Every field call's screened prompts, in the order their resolvers ran. */
  readonly fields: ScreenedField[] = [];

  constructor(
    private readonly screener: PromptScreener,
    readonly scope: RequestScope,
    /**
     * The request's budget, shared with classify/embed (src/server/usage.ts): each distinct prompt counts once
     * against MAX_REQUEST_ITEMS and, when `usage` is the request's RequestUsage, its characters against
     * MAX_REQUEST_TEXT_CHARS.
     */
    private readonly budget: { usage: ScreenUsage; max: number } | null = null,
  ) {}

  private get decisions(): Map<string, Promise<PromptDecision>> {
    return (this.decisionsMap ??= new Map());
  }

  screen(texts: string[], field: string): Promise<PromptDecision[]> {
    return this.screenFrom(texts.map((text) => ({ text, field })));
  }

  /**
   * Screens items from many fields; prompts not seen before in this request go to the model in one batch.
   * Rejects (BAD_USER_INPUT) only when they would take the request over its model-input budget.
   */
  async screenFrom(items: { text: string; field: string }[]): Promise<PromptDecision[]> {
    const fresh = new Map<string, string>();
    for (const { text, field } of items) if (!this.decisions.has(text) && !fresh.has(text)) fresh.set(text, field);
    if (fresh.size > 0 && this.budget) {
      const b = this.budget;
      if (b.usage.modelInputs + fresh.size > b.max) {
        const e = badInput(`this request asks for more than ${b.max} model inputs (prompts count too); allowed: at most ${b.max} texts and images per request (MAX_REQUEST_ITEMS)`, { limit: 'MAX_REQUEST_ITEMS', max: b.max });
        throw b.usage.refuse ? b.usage.refuse(e) : e;
      }
      let chars = 0;
      for (const text of fresh.keys()) chars += text.length;
      b.usage.addText?.(chars, fresh.size === 1 ? 'a prompt' : `${fresh.size} prompts`);
      b.usage.modelInputs += fresh.size;
    }
    if (fresh.size > 0) {
      const texts = [...fresh.keys()];
      const batch = this.screener.screen(texts, [...fresh.values()], this.scope);
      texts.forEach((t, i) => this.decisions.set(t, batch.then((ds) => ds[i])));
    }
    return Promise.all(items.map(({ text }) => this.decisions.get(text)!));
  }

  attach(args: object | null, screened: ScreenedArgument[], responsePath: string): void {
    if (args) (this.byArgsMap ??= new WeakMap()).set(args, screened);
    for (const s of screened) this.fields.push({ responsePath, argument: s.path, decision: s.decision });
  }

  screenedArguments(args: object): ScreenedArgument[] | undefined {
    return this.byArgsMap?.get(args);
  }
}
