/**
 * What of an AUTOMATIC1111 txt2img request the gateway forwards: an allow-list, not a deny-list, so a field
 * A1111 (or an extension) adds tomorrow is refused until someone decides it is safe. Reference: A1111's
 * StableDiffusionProcessingTxt2Img as /sdapi/v1/txt2img accepts it (modules/api/models.py, v1.10).
 *
 * Every field is one of:
 *   core      prompt, negative_prompt, width, height, steps, seed, batch_size, n_iter: GENERATE_LIMITS
 *             (request.ts) and the prompt screen; the adapter sets them from the GenerateRequest
 *   text      hr_prompt, hr_negative_prompt: screened like the prompt (see the drop-in for when negatives are)
 *   setting   a number, boolean or name below, checked for type and range: it changes how the image is
 *             sampled, never what it shows
 *   ignored   send_images, save_images, override_settings_restore_afterwards: accepted (clients such as
 *             webuiapi always send them) and replaced by the gateway's own (images sent back, none saved)
 *   refused   REFUSED below, unless empty (null, "", [], {}), which clients send as "not used"
 * Anything else is refused, naming the field and listing what is allowed.
 */
import { badInput } from '../errors';
import { jsonType } from '../json-type';

type Rule = { type: 'int' | 'number'; min: number; max: number } | { type: 'bool' } | { type: 'name' };

const int = (min: number, max: number): Rule => ({ type: 'int', min, max });
const num = (min: number, max: number): Rule => ({ type: 'number', min, max });
const bool: Rule = { type: 'bool' };
/** A sampler, scheduler or upscaler name: A1111 looks it up in its own list and refuses unknown ones. */
const name: Rule = { type: 'name' };
const NAME = /^[\w .+()[\]-]{0,100}$/;

/** Settings forwarded as the client sent them, once their type and range are checked. */
export const A1111_SETTINGS: Readonly<Record<string, Rule>> = Object.freeze({
  subseed: int(-1, 2147483647),
  subseed_strength: num(0, 1),
  seed_resize_from_h: int(-1, 2048),
  seed_resize_from_w: int(-1, 2048),
  sampler_name: name,
  sampler_index: name,
  scheduler: name,
  // Below 1 the sampler renders the negative prompt (the drop-in screens it then); negative would push
  // past it, so the range starts at 0. A1111's own UI stops at 30.
  cfg_scale: num(0, 30),
  restore_faces: bool,
  tiling: bool,
  do_not_save_samples: bool,
  do_not_save_grid: bool,
  disable_extra_networks: bool,
  eta: num(0, 1),
  denoising_strength: num(0, 1),
  s_min_uncond: num(0, 10),
  s_churn: num(0, 100),
  s_tmin: num(0, 100),
  s_tmax: num(0, 1000),
  s_noise: num(0, 2),
  refiner_switch_at: num(0, 1),
  enable_hr: bool,
  firstphase_width: int(0, 2048),
  firstphase_height: int(0, 2048),
  hr_scale: num(1, 4),
  hr_upscaler: name,
  hr_second_pass_steps: int(0, 150),
  hr_resize_x: int(0, 2048),
  hr_resize_y: int(0, 2048),
  hr_sampler_name: name,
  hr_scheduler: name,
});

/** A1111's cfg_scale when a request has none (StableDiffusionProcessing's default). */
export const A1111_DEFAULT_CFG_SCALE = 7;

/** Texts besides the prompt: forwarded as the screen sent them on (or unscreened negatives, see the drop-in). */
export const A1111_TEXTS = ['prompt', 'negative_prompt', 'hr_prompt', 'hr_negative_prompt'] as const;

/** Core numbers: validated by checkGenerateParams (n_iter here, as it multiplies batch_size). */
export const A1111_CORE = ['width', 'height', 'steps', 'seed', 'batch_size', 'n_iter'] as const;

/** Accepted booleans the gateway replaces with its own values. */
export const A1111_IGNORED = ['send_images', 'save_images', 'override_settings_restore_afterwards'] as const;

/** Fields refused unless empty, with why. */
export const A1111_REFUSED: Readonly<Record<string, string>> = Object.freeze({
  infotext: 'A1111 fills every unset field from it ("Hires prompt:" becomes hr_prompt, scripts and their arguments too), around the prompt screen',
  override_settings: "it changes the backend's global settings, for every tenant and request after this one",
  script_name: 'scripts can carry prompts the gateway cannot find',
  script_args: 'scripts can carry prompts the gateway cannot find',
  alwayson_scripts: 'extensions (ADetailer, ControlNet, ...) can carry prompts and images the gateway cannot find',
  styles: "styles are prompt texts stored on the backend, which the gateway cannot see to screen",
  hr_checkpoint_name: "it loads another checkpoint on the backend; the operator's checkpoint is the one used",
  refiner_checkpoint: "it loads another checkpoint on the backend; the operator's checkpoint is the one used",
  firstpass_image: 'it is an image the gateway does not check, used as the first pass',
});

/** The names a client may send, for error messages. */
export function a1111Allowed(): string {
  return [...A1111_TEXTS, ...A1111_CORE, ...Object.keys(A1111_SETTINGS), ...A1111_IGNORED].join(', ');
}

/** The forwardable keys: what the adapter picks from a native body (and nothing else). */
export const A1111_FORWARDED: readonly string[] = Object.freeze(['hr_prompt', 'hr_negative_prompt', 'n_iter', ...Object.keys(A1111_SETTINGS)]);

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

function checkRule(field: string, v: unknown, r: Rule): void {
  if (r.type === 'bool') {
    if (typeof v !== 'boolean') throw badInput(`${field} must be true or false, got ${jsonType(v)}; allowed: true or false`);
  } else if (r.type === 'name') {
    const allowed = 'allowed: a name of at most 100 letters, digits, spaces and _ . + - ( ) [ ] (as A1111 lists them)';
    if (typeof v !== 'string') throw badInput(`${field} must be a string, got ${jsonType(v)}; ${allowed}`);
    if (!NAME.test(v)) throw badInput(`${field} is ${JSON.stringify(v).slice(0, 60)}; ${allowed}`);
  } else {
    const allowed = `allowed: ${r.type === 'int' ? 'an integer' : 'a number'} from ${r.min} to ${r.max}`;
    if (typeof v !== 'number') throw badInput(`${field} must be a number, got ${jsonType(v)}; ${allowed}`);
    if (!Number.isFinite(v) || v < r.min || v > r.max || (r.type === 'int' && !Number.isInteger(v))) throw badInput(`${field} is ${v}; ${allowed}`);
  }
}

/**
 * Sorts a client's txt2img body: the settings to forward (checked), or a BAD_USER_INPUT naming the first
 * field that is refused, unknown or out of range. Texts and core numbers are left to the caller.
 */
export function checkA1111Settings(body: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(body)) {
    if ((A1111_TEXTS as readonly string[]).includes(field) || (A1111_CORE as readonly string[]).includes(field)) continue;
    if ((A1111_IGNORED as readonly string[]).includes(field)) {
      if (v !== null && typeof v !== 'boolean') throw badInput(`${field} must be true or false, got ${jsonType(v)}; allowed: true or false (the gateway sends images back and saves none, whatever it says)`);
      continue;
    }
    if (field in A1111_REFUSED) {
      if (isEmpty(v)) continue;
      throw badInput(`${field} is not forwarded: ${A1111_REFUSED[field]}; allowed: leave ${field} out or empty`);
    }
    const rule = Object.hasOwn(A1111_SETTINGS, field) ? A1111_SETTINGS[field] : undefined;
    if (!rule) throw badInput(`${field} is not a txt2img field the gateway forwards (it forwards only fields it understands); allowed: ${a1111Allowed()}`);
    if (v === null || v === undefined) continue; // A1111's "use the default"
    checkRule(field, v, rule);
    settings[field] = v;
  }
  return settings;
}
