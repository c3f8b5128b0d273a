/**
 * What the gateway knows about ComfyUI's core nodes, as data: which nodes encode text (and through which
 * inputs), which sample (and where their positive, negative and cfg inputs are), and which pass
 * conditioning on (from which input to which output slot). Input names and output slots are ComfyUI's own
 * (nodes.py, comfy_extras/nodes_clip_sdxl.py, nodes_flux.py, nodes_sd3.py, nodes_hunyuan.py, nodes_pixart.py,
 * nodes_custom_sampler.py, nodes_cond.py, nodes_mask.py). A node type missing here is "unknown": the
 * dataflow code treats it conservatively (comfyui-dataflow.ts), so adding a node is adding a row.
 */

/** Text encoders: class_type -> the string inputs that reach the text encoder. Output slot 0 is CONDITIONING. */
export const ENCODERS: Readonly<Record<string, readonly string[]>> = {
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['text_g', 'text_l'],
  CLIPTextEncodeSDXLRefiner: ['text'],
  CLIPTextEncodeFlux: ['clip_l', 't5xxl'],
  CLIPTextEncodeSD3: ['clip_l', 'clip_g', 't5xxl'],
  CLIPTextEncodeHunyuanDiT: ['bert', 'mt5xl'],
  CLIPTextEncodePixArtAlpha: ['text'],
};

/**
 * Nodes that consume conditioning and sample with it. `positive` inputs always render their conditioning;
 * the `negative` input renders it when classifier-free guidance is below 1 (output = negative + cfg *
 * (positive - negative): at cfg 0 the image is drawn from the negative alone). Nodes without `negative`
 * have no CFG (BasicGuider: its one conditioning is what is drawn).
 */
export const SAMPLERS: Readonly<Record<string, { positive: readonly string[]; negative?: string; cfg?: string }>> = {
  KSampler: { positive: ['positive'], negative: 'negative', cfg: 'cfg' },
  KSamplerAdvanced: { positive: ['positive'], negative: 'negative', cfg: 'cfg' },
  SamplerCustom: { positive: ['positive'], negative: 'negative', cfg: 'cfg' },
  CFGGuider: { positive: ['positive'], negative: 'negative', cfg: 'cfg' },
  BasicGuider: { positive: ['conditioning'] },
};

/**
 * Nodes that pass conditioning on: class_type -> input -> the output slots that carry it. ControlNet and
 * inpaint nodes take a positive and a negative and return them in that order (slot 0 positive, slot 1
 * negative): a link from slot 1 into a sampler's `positive` makes the "negative" text the prompt.
 */
export const CONDITIONING: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>> = {
  ConditioningCombine: { conditioning_1: [0], conditioning_2: [0] },
  ConditioningAverage: { conditioning_to: [0], conditioning_from: [0] },
  ConditioningConcat: { conditioning_to: [0], conditioning_from: [0] },
  ConditioningSetArea: { conditioning: [0] },
  ConditioningSetAreaPercentage: { conditioning: [0] },
  ConditioningSetAreaStrength: { conditioning: [0] },
  ConditioningSetMask: { conditioning: [0] },
  ConditioningSetTimestepRange: { conditioning: [0] },
  ConditioningZeroOut: { conditioning: [0] },
  ControlNetApply: { conditioning: [0] },
  ControlNetApplyAdvanced: { positive: [0], negative: [1] },
  ControlNetApplySD3: { positive: [0], negative: [1] },
  InpaintModelConditioning: { positive: [0], negative: [1] },
  InstructPixToPixConditioning: { positive: [0], negative: [1] },
  unCLIPConditioning: { conditioning: [0] },
  StyleModelApply: { conditioning: [0] },
  GLIGENTextBoxApply: { conditioning_to: [0] },
  FluxGuidance: { conditioning: [0] },
};

/** Inputs that hold settings, not prose: never screened. */
export const NOT_TEXT: ReadonlySet<string> = new Set([
  'ckpt_name', 'vae_name', 'lora_name', 'clip_name', 'clip_name1', 'clip_name2', 'unet_name', 'control_net_name', 'upscale_model_name',
  'style_model_name', 'clip_vision_name', 'gligen_name', 'hypernetwork_name', 'sampler_name', 'scheduler', 'filename_prefix', 'image',
  'upscale_method', 'crop', 'weight_dtype', 'type', 'add_noise', 'return_with_leftover_noise', 'config_name', 'format', 'method', 'mode',
  'empty_padding',
]);
