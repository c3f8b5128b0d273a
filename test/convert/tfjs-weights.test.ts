/** Reading and dequantising TF.js weight shards (models/convert/tfjs-weights.ts); needs no TF.js. */
import { decodeWeights, halfToFloat, summariseWeights, TfjsWeightsError, type WeightsManifestGroup } from '../../models/convert/tfjs-weights';

describe('halfToFloat', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s -> %s', (h, v) => {
    expect(halfToFloat(h)).toBe(v);
  });
  it('decodes NaN and negative zero', () => {
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
  });
});

describe('decodeWeights', () => {
  const manifest: WeightsManifestGroup[] = [
    {
      paths: ['a', 'b'],
      weights: [
        { name: 'q8', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1.5, scale: 0.1 } },
        { name: 'q16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', min: 0.25, scale: 0.001 } },
        { name: 'f16', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'f32', shape: [2], dtype: 'float32' },
      ],
    },
  ];
  // 4 + 6 + 4 + 8 = 22 bytes, split over two shards mid-weight.
  const bytes = new Uint8Array(22);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 15, 30, 255], 0);
  [0, 1000, 65535].forEach((q, i) => view.setUint16(4 + 2 * i, q, true));
  view.setUint16(10, 0x3c00, true);
  view.setUint16(12, 0xc000, true);
  view.setFloat32(14, 3.5, true);
  view.setFloat32(18, -0.125, true);
  const shards: Record<string, Uint8Array> = { a: bytes.slice(0, 5), b: bytes.slice(5) };

  it('dequantises as tfjs does (q * scale + min, rounded to float32) and reads float16 / float32', () => {
    const w = decodeWeights(manifest, (p) => shards[p]);
    expect([...w.keys()]).toEqual(['q8', 'q16', 'f16', 'f32']);
    expect(w.get('q8')!.shape).toEqual([2, 2]);
    expect(Array.from(w.get('q8')!.data)).toEqual([0, 15, 30, 255].map((q) => Math.fround(q * 0.1 + -1.5)));
    expect(Array.from(w.get('q16')!.data)).toEqual([0, 1000, 65535].map((q) => Math.fround(q * 0.001 + 0.25)));
    expect(Array.from(w.get('f16')!.data)).toEqual([1, -2]);
    expect(Array.from(w.get('f32')!.data)).toEqual([3.5, -0.125]);
  });

  it('rejects shards the weights do not exactly fill', () => {
    expect(() => decodeWeights(manifest, (p) => (p === 'b' ? shards.b.slice(1) : shards.a))).toThrow(TfjsWeightsError);
    expect(() => decodeWeights(manifest, (p) => (p === 'b' ? new Uint8Array([...shards.b, 0]) : shards.a))).toThrow(/hold 23 bytes but the weights use 22/);
  });

  it('rejects uint8 quantisation without min / scale, and unsupported dtypes', () => {
    const bad: WeightsManifestGroup[] = [{ paths: ['x'], weights: [{ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }] }];
    expect(() => decodeWeights(bad, () => new Uint8Array(1))).toThrow(/without min and scale/);
    const str: WeightsManifestGroup[] = [{ paths: ['x'], weights: [{ name: 's', shape: [1], dtype: 'string' }] }];
    expect(() => decodeWeights(str, () => new Uint8Array(4))).toThrow(/not supported/);
  });

  it('summarises storage kinds and parameter count', () => {
    expect(summariseWeights(manifest)).toEqual({ storage: { 'float32<-uint8': 1, 'float32<-uint16': 1, 'float32<-float16': 1, float32: 1 }, parameters: 11 });
  });
});
