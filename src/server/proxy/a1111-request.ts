/**
 * A drop-in A1111 txt2img body, sorted into what the gateway screens, what it checks and forwards, and what
 * it refuses (src/diffusion/a1111-fields.ts holds the allow-list).
 *
 * Negative prompts: A1111 samples uncond + cfg_scale x (cond - uncond), the negative prompt being the
 * uncond. With cfg_scale >= 1 the image is pushed away from it, so it is forwarded as written (it names what
 * must not be drawn). With cfg_scale < 1 the weight on it, 1 - cfg_scale, is positive: at 0 the image IS the
 * negative prompt. So when cfg_scale < 1, negative_prompt and hr_negative_prompt are screened as prompts
 * (blocked, redirected or flagged like the prompt). A request without cfg_scale gets A1111's default, 7.
 */
import { badInput } from '../../errors';
import { A1111_DEFAULT_CFG_SCALE, checkA1111Settings } from '../../diffusion/a1111-fields';
import { GENERATE_LIMITS } from '../../diffusion/request';
import { jsonType } from '../../json-type';
import { checkPromptField } from './shared';

export interface A1111Request {
  /** The texts to screen, prompt first, with the field each came from. */
  screened: { field: string; text: string }[];
  /** Index in `screened` of negative_prompt when it is screened (cfg_scale < 1). */
  negativeAt?: number;
  negativePrompt: string | null;
  /** Core numbers, raw: checkGenerateParams checks them, naming the fields as `names` says. */
  params: { width?: number; height?: number; steps?: number; seed?: number; count?: number };
  names: { negativePrompt: string; count: string };
  /** Checked settings to forward, with n_iter and the unscreened hr_negative_prompt (cfg_scale >= 1). */
  forward: Record<string, unknown>;
}

/** An optional text field: absent, null or a well-formed string of at most `max` characters. */
function optionalText(v: unknown, field: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  const allowed = `allowed: well-formed text of at most ${max} characters (MAX_TEXT_LENGTH), or leave it out`;
  if (typeof v !== 'string') throw badInput(`${field} must be a string, got ${jsonType(v)}; ${allowed}`);
  if (v.length > max) throw badInput(`${field} has ${v.length} characters; ${allowed}`);
  if (!v.isWellFormed()) throw badInput(`${field} contains a lone UTF-16 surrogate; ${allowed}`);
  return v.trim() === '' ? null : v;
}

/** Throws BAD_USER_INPUT naming the first field that is refused, unknown, or out of range. */
export function readA1111Request(body: Record<string, unknown>, maxTextLength: number): A1111Request {
  const screened = [{ field: 'prompt', text: checkPromptField(body.prompt, 'prompt', maxTextLength) }];
  const settings = checkA1111Settings(body);
  const hrPrompt = optionalText(body.hr_prompt, 'hr_prompt', maxTextLength);
  // The hires-fix pass has its own prompt: it is screened like the main one.
  if (hrPrompt !== null) screened.push({ field: 'hr_prompt', text: hrPrompt });
  const negative = optionalText(body.negative_prompt, 'negative_prompt', maxTextLength);
  const hrNegative = optionalText(body.hr_negative_prompt, 'hr_negative_prompt', maxTextLength);
  const forward: Record<string, unknown> = { ...settings };
  const rendersNegative = ((settings.cfg_scale as number | undefined) ?? A1111_DEFAULT_CFG_SCALE) < 1;
  let negativeAt: number | undefined;
  if (rendersNegative && negative !== null) {
    negativeAt = screened.length;
    screened.push({ field: 'negative_prompt', text: negative });
  }
  if (rendersNegative && hrNegative !== null) screened.push({ field: 'hr_negative_prompt', text: hrNegative });
  else if (hrNegative !== null) forward.hr_negative_prompt = hrNegative;

  // n_iter batches of batch_size: both count against the image limit, as their product.
  const nIter = body.n_iter ?? 1;
  const L = GENERATE_LIMITS.count;
  if (typeof nIter !== 'number' || !Number.isInteger(nIter) || nIter < L.min || nIter > L.max) {
    const what = typeof nIter === 'number' ? `is ${nIter}` : `must be a number, got ${jsonType(nIter)}`;
    throw badInput(`n_iter ${what}; allowed: an integer from ${L.min} to ${L.max} (batch_size x n_iter at most ${L.max})`);
  }
  forward.n_iter = nIter;
  const batch = body.batch_size ?? undefined;
  const multiply = nIter > 1 && (batch === undefined || (typeof batch === 'number' && Number.isInteger(batch)));
  const count = multiply ? ((batch as number | undefined) ?? 1) * nIter : (batch as number | undefined);
  return {
    screened,
    negativeAt,
    negativePrompt: negative,
    params: { width: body.width as number | undefined, height: body.height as number | undefined, steps: body.steps as number | undefined, seed: body.seed as number | undefined, count },
    names: { negativePrompt: 'negative_prompt', count: multiply ? 'batch_size x n_iter' : 'batch_size' },
    forward,
  };
}
