/**
 * Client images: base64/data-URL parsing, format and size checks, and preprocessing into model tensors.
 * These modules are the only ones (with the blur plugin) that import sharp.
 */
export {
  ALLOWED_FORMATS,
  ALLOWED_FORMATS_TEXT,
  DEFAULT_IMAGE_LIMITS,
  DEFAULT_MAX_IMAGE_BYTES,
  DEFAULT_MAX_IMAGE_PIXELS,
  FORMAT_NAMES,
  MAX_ASPECT_RATIO,
  type AllowedFormat,
  type ImageLimits,
} from './limits';
export { decodeImageInput } from './decode';
export { sniffFormat, type SniffResult } from './sniff';
export {
  inspectImage,
  normalisePixels,
  planResize,
  preprocessImage,
  preprocessToRgb,
  validatePreprocessSpec,
  type CheckedImage,
  type PreprocessOptions,
  type ResizePlan,
} from './preprocess';
export { resampleCrop, sourceWindow, type ResampleKernel, type ResampleRequest, type Window } from './resample';
