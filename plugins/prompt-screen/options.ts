/** prompt-screen options, with their defaults. Resolved once by the factory; see index.ts. */
export interface PromptScreenOptions {
  /**
   * Longest prompt in characters, enforced by the Prompt scalar (variables: BAD_USER_INPUT; literals:
   * GRAPHQL_VALIDATION_FAILED). Default: MAX_TEXT_LENGTH (2000).
   */
  maxLength: number;
  /**
   * A request's model-input budget, shared with classify/embed: each distinct prompt counts one. A GraphQL
   * request whose prompts would exceed it fails with BAD_USER_INPUT before anything runs.
   * Default: MAX_REQUEST_ITEMS (256).
   */
  maxRequestItems: number;
  /**
   * Response `extensions` key under which every screened prompt of the request is listed (field path,
   * argument, action, verdict; the redirected text when REDIRECTED, never the original). null: leave
   * responses alone. Default "promptScreening".
   */
  extensionsKey: string | null;
}

export const PROMPT_SCREEN_DEFAULTS: Readonly<PromptScreenOptions> = Object.freeze({
  maxLength: 2000,
  maxRequestItems: 256,
  extensionsKey: 'promptScreening',
});

export function resolvePromptScreenOptions(o: Partial<PromptScreenOptions> = {}): Readonly<PromptScreenOptions> {
  const r = { ...PROMPT_SCREEN_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as PromptScreenOptions;
  if (!Number.isInteger(r.maxLength) || r.maxLength < 1) throw new TypeError(`prompt-screen: maxLength is ${r.maxLength}; allowed: an integer >= 1`);
  if (!Number.isInteger(r.maxRequestItems) || r.maxRequestItems < 1) throw new TypeError(`prompt-screen: maxRequestItems is ${r.maxRequestItems}; allowed: an integer >= 1`);
  if (r.extensionsKey !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.extensionsKey)) throw new TypeError(`prompt-screen: extensionsKey is ${JSON.stringify(r.extensionsKey)}; allowed: a GraphQL-style name, or null`);
  return Object.freeze(r);
}
