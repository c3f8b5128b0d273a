/**
 * The model bundle manifest (`manifest.json`), as the gateway reads it. A bundle is a folder:
 * manifest.json + text.onnx + image.onnx + tokenizer files (+ anchors, a safe-prompt pool and a substitution table).
 * Every model-specific fact lives here; no code outside the manifest reader branches on a model.
 * The validator is in manifest.ts.
 */

/** Distance-from-origin statistics of one group of calibration data. */
export interface DistanceStats {
  mean: number;
  p5: number;
  p95: number;
}

export interface WordTokenizerSpec {
  type: 'word';
  /** File in the bundle, one token a line; line i has id i. Line 0 must be `<pad>`, line 1 `<unk>`. */
  vocab: string;
  contextLength: number;
  /** The subword model (fastText-style character n-grams) for words the vocabulary lacks; absent: they are `<unk>`. */
  subwords?: SubwordSpec;
}

/**
 * A word tokenizer's subword model (tokenizers/subwords.ts). The text graph then has a second input, `input`:
 * int64 [U, slots], the n-gram ids of each distinct word of the batch read by subwords; ids >= V (vocabulary
 * size) in the token ids name its rows (V + row).
 */
export interface SubwordSpec {
  /** File in the bundle, one n-gram a line; line i has id i. Line 0 must be `<none>` (id 0, an empty slot). */
  ngrams: string;
  /** Graph input name of the n-gram ids, e.g. "subword_ids". */
  input: string;
  /** N-gram lengths, in characters of "<" + word + ">" (char-ngrams.ts): 1 <= minN <= maxN. */
  minN: number;
  maxN: number;
  /** N-gram ids per word (the graph input's second dimension); a word's first `slots` held n-grams are sent. */
  slots: number;
}

export interface ClipBpeTokenizerSpec {
  type: 'clip-bpe';
  /** `bpe_simple_vocab_16e6.txt.gz` (OpenAI) or a Hugging Face `merges.txt` (with `vocab` = `vocab.json`). */
  merges: string;
  vocab?: string;
  /** 77 for CLIP. */
  contextLength: number;
}

export type TokenizerSpec = WordTokenizerSpec | ClipBpeTokenizerSpec;

export interface TowerSpec {
  /** ONNX file in the bundle. */
  model: string;
  /** Graph input name (text: token ids [N, contextLength]; image: pixels [N, 3, size, size] or NHWC). */
  input: string;
  /** Graph output name: [N, embeddingDim]. */
  output: string;
}

export interface TextTowerSpec extends TowerSpec {
  /** Element type of the token-id input. */
  inputType: 'int64' | 'int32';
  tokenizer: TokenizerSpec;
  /**
   * True when the text graph takes ids [N, L] for any L <= contextLength and a row's output does not depend on
   * its trailing padding (masked pooling, no positions): the gateway then cuts each batch to its longest row
   * instead of running all contextLength positions. False (the default when absent) for graphs that need
   * exactly contextLength positions, such as CLIP's (positional embeddings, pooling at the end token).
   * Optional so that bundle builders may leave it out of manifest.json; the reader always sets it.
   */
  trimPadding?: boolean;
}

export interface ImagePreprocessSpec {
  /** Output side in pixels (square). */
  size: number;
  /** 'shortest-side': scale so the shortest side is `size`, then crop; 'stretch': scale both sides to `size`. */
  resize: 'shortest-side' | 'stretch';
  /** 'center' crops the middle `size` x `size` after a shortest-side resize. */
  crop: 'center' | 'none';
  /** Resampling kernel: 'cubic' (CLIP's bicubic), 'linear', 'lanczos3', 'nearest'. */
  kernel: 'cubic' | 'linear' | 'lanczos3' | 'nearest';
  /** Pixel values are divided by this before normalisation (255 gives [0, 1]). */
  scale: number;
  /** Per-channel (R, G, B) mean and std applied after scaling: (x / scale - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Tensor layout of the graph input. */
  layout: 'NCHW' | 'NHWC';
  /** Colour that transparent pixels are composited onto, 0..255 RGB. */
  background: [number, number, number];
}

export interface ImageTowerSpec extends TowerSpec {
  preprocess: ImagePreprocessSpec;
}

export interface Manifest {
  /** Always 1 for now. */
  formatVersion: 1;
  /** Bundle name, e.g. "hysac-mini". */
  name: string;
  description: string;
  /** True for bundles that exist only to test the machinery. They are not safety models; the API says so. */
  fixture: boolean;
  provenance: {
    /** Where the weights came from (model id, package, "hand-set fixture weights", ...). */
    source: string;
    license: string;
    /** Command that rebuilds this bundle. */
    rebuild: string;
    /** sha256 (hex) of each file in the bundle, keyed by file name. */
    files: Record<string, string>;
    /** Free-form extra facts (revision, training seed, ...). */
    notes?: string;
  };
  /** Dimension D of the space components. */
  embeddingDim: number;
  /** c > 0: the hyperboloid has curvature -c. */
  curvature: number;
  /**
   * 'tangent': the graphs output tangent vectors at the origin; the gateway multiplies by `alpha[modality]`
   * and applies the exponential map. 'space': the graphs already output space components on the hyperboloid.
   */
  outputs: 'tangent' | 'space';
  /** Per-modality scale applied to tangent outputs before the exponential map (HySAC/MERU's learned alphas). */
  alpha: { text: number; image: number };
  text: TextTowerSpec;
  image: ImageTowerSpec;
  /** Distance from the origin of calibration data, per group. */
  bounds: { safeText: DistanceStats; safeImage: DistanceStats; unsafeText: DistanceStats; unsafeImage: DistanceStats };
  /** Decision thresholds on distance from the origin: unsafe when distance >= threshold. */
  threshold: { text: number; image: number };
  /** Half-aperture constant K of the entailment cones (MERU uses 0.1). */
  coneK: number;
  /** Concept anchors for `nearest`: TSV file `label<TAB>text`, label 'safe' or one of the seven categories. */
  anchors: string;
  /** Default safe-prompt pool for `redirect` (one prompt a line), optional. */
  pool?: string;
  /**
   * Replacements of unsafe words learnt from safe/unsafe twins (TSV `unsafe_word<TAB>replacement<TAB>count`,
   * parsed by bundle.ts parseSubstitutions), optional: EDIT tries them first (src/safety/edit.ts).
   */
  substitutions?: string;
}

export const UNSAFE_CATEGORIES = [
  'sexual',
  'violence',
  'hate',
  'harassment',
  'self-harm',
  'shocking',
  'illegal-activity',
] as const;
export type UnsafeCategory = (typeof UNSAFE_CATEGORIES)[number];
export type AnchorLabel = 'safe' | UnsafeCategory;
