/** audit options, with their defaults. Resolved once by the factory; see index.ts. */
export interface AuditOptions {
  /**
   * What a log line records of a prompt: HASH (`promptSha256`, and `sentPromptSha256` when it was
   * redirected), TEXT (`prompt` and `sentPrompt` themselves) or NONE. Default HASH (AUDIT_PROMPTS).
   */
  prompts: 'HASH' | 'TEXT' | 'NONE';
  /** pino level of the lines (decisions and backend failures). Default info. */
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** The line's `msg`. Default "safety decision". (Backend failure lines always say "backend failure".) */
  message: string;
}

export const AUDIT_DEFAULTS: Readonly<AuditOptions> = Object.freeze({ prompts: 'HASH', level: 'info', message: 'safety decision' });

export function resolveAuditOptions(o: Partial<AuditOptions> = {}): Readonly<AuditOptions> {
  const r = { ...AUDIT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as AuditOptions;
  if (!['HASH', 'TEXT', 'NONE'].includes(r.prompts)) throw new TypeError(`audit: prompts is ${JSON.stringify(r.prompts)}; allowed: HASH, TEXT, NONE`);
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(r.level)) throw new TypeError(`audit: level is ${JSON.stringify(r.level)}; allowed: trace, debug, info, warn, error, fatal`);
  return Object.freeze(r);
}
