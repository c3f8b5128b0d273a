/**
 * Reading TensorFlow.js weight shards: the `weightsManifest` of a model.json, the binary shard bytes it names,
 * and dequantisation exactly as @tensorflow/tfjs-core's `io.decodeWeights` does it (tfjs-core 4.x,
 * src/io/io_utils.ts, decodeWeight):
 *
 *   uint8 / uint16 quantisation:  value = q * scale + min   (computed in float64, stored as float32)
 *   float16 quantisation:         IEEE 754 half -> float32 (exact; tfjs uses lookup tables with the same result)
 *   no quantisation:              little-endian float32
 *
 * Within a manifest group the shards are concatenated in `paths` order and the weights lie back to back in
 * `weights` order; a quantised weight takes (element count x 1 or 2) bytes.
 */

export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

export interface WeightQuantization {
  dtype: QuantizationDtype;
  /** For uint8 / uint16: value = q * scale + min. */
  min?: number;
  scale?: number;
  original_dtype?: string;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: WeightQuantization;
}

export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface DecodedWeight {
  shape: number[];
  data: Float32Array;
}

/** What the converter reports about how the weights were stored. */
export interface WeightsSummary {
  /** Number of weights per storage kind, e.g. { 'float32<-uint8': 266 }. */
  storage: Record<string, number>;
  /** Total scalar parameters. */
  parameters: number;
}

export class TfjsWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfjsWeightsError';
  }
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One IEEE 754 binary16 value (as its 16 bits) to the nearest (here: exactly equal) float64. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function bytesPerStoredValue(spec: WeightSpec): number {
  const q = spec.quantization;
  if (q) {
    if (q.dtype === 'uint8') return 1;
    if (q.dtype === 'uint16' || q.dtype === 'float16') return 2;
    throw new TfjsWeightsError(`weight '${spec.name}': unknown quantization dtype '${(q as { dtype: string }).dtype}' (tfjs supports uint8, uint16, float16)`);
  }
  if (spec.dtype === 'float32' || spec.dtype === 'int32') return 4;
  throw new TfjsWeightsError(`weight '${spec.name}': dtype '${spec.dtype}' is not supported (float32 only)`);
}

/** Decodes one weight from `bytes` (exactly its stored bytes). */
export function decodeWeight(spec: WeightSpec, bytes: Uint8Array): DecodedWeight {
  const n = elementCount(spec.shape);
  if (spec.dtype !== 'float32') throw new TfjsWeightsError(`weight '${spec.name}': dtype '${spec.dtype}' is not supported (float32 only)`);
  if (bytes.length !== n * bytesPerStoredValue(spec)) {
    throw new TfjsWeightsError(`weight '${spec.name}': ${bytes.length} bytes for ${n} values`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float32Array(n);
  const q = spec.quantization;
  if (!q) {
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
  } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (typeof q.min !== 'number' || typeof q.scale !== 'number') {
      throw new TfjsWeightsError(`weight '${spec.name}': ${q.dtype} quantization without min and scale`);
    }
    const { min, scale } = q;
    if (q.dtype === 'uint8') for (let i = 0; i < n; i++) data[i] = bytes[i] * scale + min;
    else for (let i = 0; i < n; i++) data[i] = view.getUint16(i * 2, true) * scale + min;
  } else {
    for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
  }
  return { shape: [...spec.shape], data };
}

/**
 * Decodes every weight of a weights manifest. `readShard(path)` returns the bytes of one shard named in a
 * group's `paths`. Throws when a group's weights do not exactly fill its shards, or a name repeats.
 */
export function decodeWeights(manifest: WeightsManifestGroup[], readShard: (path: string) => Uint8Array): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  for (const group of manifest) {
    const shards = group.paths.map((p) => readShard(p));
    const total = shards.reduce((a, s) => a + s.length, 0);
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      buffer.set(s, at);
      at += s.length;
    }
    let offset = 0;
    for (const spec of group.weights) {
      const size = elementCount(spec.shape) * bytesPerStoredValue(spec);
      if (offset + size > total) throw new TfjsWeightsError(`weight '${spec.name}' runs past the end of shards ${group.paths.join(', ')} (${total} bytes)`);
      if (out.has(spec.name)) throw new TfjsWeightsError(`weight '${spec.name}' appears twice in the manifest`);
      out.set(spec.name, decodeWeight(spec, buffer.subarray(offset, offset + size)));
      offset += size;
    }
    if (offset !== total) throw new TfjsWeightsError(`shards ${group.paths.join(', ')} hold ${total} bytes but the weights use ${offset}`);
  }
  return out;
}

/** Storage kinds and parameter count of a manifest (for the sidecar and the README). */
export function summariseWeights(manifest: WeightsManifestGroup[]): WeightsSummary {
  const storage: Record<string, number> = {};
  let parameters = 0;
  for (const spec of manifest.flatMap((g) => g.weights)) {
    const kind = spec.quantization ? `${spec.dtype}<-${spec.quantization.dtype}` : spec.dtype;
    storage[kind] = (storage[kind] ?? 0) + 1;
    parameters += elementCount(spec.shape);
  }
  return { storage, parameters };
}
