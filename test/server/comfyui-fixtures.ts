/**
 * API-format ComfyUI workflows as ComfyUI's "Save (API Format)" writes them, for the dataflow tests: the
 * default txt2img graph, an SDXL graph, and the attacks of issue #16 (a prompt split across string nodes, a
 * negative prompt drawn at cfg 0, a negative routed into `positive` through ControlNetApplyAdvanced).
 */
export type Workflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** ComfyUI's default txt2img graph: 6 is the positive encoder, 7 the negative one, 3 the sampler. */
export function txt2img(positive: unknown, negative: unknown = 'blurry, nsfw, gore', cfg: unknown = 7): Workflow {
  return {
    '3': { class_type: 'KSampler', inputs: { seed: 7, steps: 4, cfg, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: positive, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: negative, clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}

/** SDXL base: CLIPTextEncodeSDXL with text_g and text_l, a KSamplerAdvanced. */
export function sdxl(textG: string, textL: string, negative = 'lowres, nsfw'): Workflow {
  const size = { width: 1024, height: 1024, crop_w: 0, crop_h: 0, target_width: 1024, target_height: 1024 };
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncodeSDXL', inputs: { ...size, text_g: textG, text_l: textL, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncodeSDXL', inputs: { ...size, text_g: negative, text_l: negative, clip: ['4', 1] } },
    '10': { class_type: 'KSamplerAdvanced', inputs: { add_noise: 'enable', noise_seed: 1, steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal', start_at_step: 0, end_at_step: 4, return_with_leftover_noise: 'disable', model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '17': { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['4', 2] } },
    '19': { class_type: 'SaveImage', inputs: { filename_prefix: 'sdxl', images: ['17', 0] } },
  };
}

/** The positive text assembled by StringConcatenate from two PrimitiveString nodes (20 + 21 -> 22 -> 6). */
export function splitPrompt(a: string, b: string, delimiter = ''): Workflow {
  const wf = txt2img(['22', 0]);
  wf['20'] = { class_type: 'PrimitiveString', inputs: { value: a } };
  wf['21'] = { class_type: 'PrimitiveStringMultiline', inputs: { value: b } };
  wf['22'] = { class_type: 'StringConcatenate', inputs: { string_a: ['20', 0], string_b: ['21', 0], delimiter } };
  return wf;
}

/**
 * A ControlNet between the encoders and the sampler; `swap` wires its negative output (slot 1) into the
 * sampler's `positive` and its positive output (slot 0) into `negative`.
 */
export function controlNet(positive: string, negative: string, swap: boolean): Workflow {
  const wf = txt2img(positive, negative);
  wf['11'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: 'control_canny.safetensors' } };
  wf['12'] = { class_type: 'LoadImage', inputs: { image: 'edges.png' } };
  wf['13'] = { class_type: 'ControlNetApplyAdvanced', inputs: { positive: ['6', 0], negative: ['7', 0], control_net: ['11', 0], image: ['12', 0], strength: 1, start_percent: 0, end_percent: 1 } };
  wf['3'].inputs.positive = ['13', swap ? 1 : 0];
  wf['3'].inputs.negative = ['13', swap ? 0 : 1];
  return wf;
}
