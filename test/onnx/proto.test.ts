import { ProtoWriter } from '../../src/onnx/proto';

const bytes = (build: (w: ProtoWriter) => void): number[] => {
  const w = new ProtoWriter(1);
  build(w);
  return Array.from(w.finish());
};

describe('ProtoWriter', () => {
  it('writes varints least significant group first', () => {
    expect(bytes((w) => w.varint(0))).toEqual([0x00]);
    expect(bytes((w) => w.varint(1))).toEqual([0x01]);
    expect(bytes((w) => w.varint(127))).toEqual([0x7f]);
    expect(bytes((w) => w.varint(300))).toEqual([0xac, 0x02]);
    expect(bytes((w) => w.varint(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x08]);
    expect(bytes((w) => w.varint(2 ** 53 - 1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(bytes((w) => w.varint((1n << 64n) - 1n))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('writes negative int64 as ten-byte two\'s complement', () => {
    expect(bytes((w) => w.varint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytes((w) => w.varint(-2n))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytes((w) => w.varint(-(1n << 63n)))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('rejects values that are not 64-bit integers', () => {
    expect(() => bytes((w) => w.varint(1.5))).toThrow(RangeError);
    expect(() => bytes((w) => w.varint(2 ** 60))).toThrow(RangeError);
    expect(() => bytes((w) => w.varint(1n << 64n))).toThrow(RangeError);
    expect(() => bytes((w) => w.varint(-(1n << 63n) - 1n))).toThrow(RangeError);
  });

  it('writes tags, floats, strings and nested messages', () => {
    // field 1 varint 150: the protobuf documentation's example 08 96 01
    expect(bytes((w) => w.int64Field(1, 150))).toEqual([0x08, 0x96, 0x01]);
    // field 20 (AttributeProto.type) needs a two-byte tag: (20 << 3) | 0 = 160
    expect(bytes((w) => w.int64Field(20, 2))).toEqual([0xa0, 0x01, 0x02]);
    // field 2 float 1.0 = 0x3f800000 little-endian
    expect(bytes((w) => w.floatField(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytes((w) => w.stringField(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect(bytes((w) => w.stringField(1, 'é'))).toEqual([0x0a, 0x02, 0xc3, 0xa9]);
    // protobuf documentation: message Test3 { Test1 c = 3; } with a = 150 -> 1a 03 08 96 01
    expect(bytes((w) => w.messageField(3, (m) => m.int64Field(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
  });

  it('writes packed and unpacked repeated scalars', () => {
    // protobuf documentation: repeated int32 f = 4 [packed] with 3, 270, 86942 -> 22 06 03 8e 02 9e a7 05
    expect(bytes((w) => w.packedInt64s(4, [3, 270, 86942]))).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect(bytes((w) => w.packedFloats(7, [1, -2]))).toEqual([0x3a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(bytes((w) => w.repeatedInt64s(8, [1, -1]))).toEqual([0x40, 0x01, 0x40, ...Array(9).fill(0xff), 0x01]);
    expect(bytes((w) => w.repeatedFloats(7, [1]))).toEqual([0x3d, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('grows its buffer for large payloads', () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const out = bytes((w) => w.bytesField(9, big));
    expect(out.slice(0, 4)).toEqual([0x4a, 0xa0, 0x8d, 0x06]); // tag 9/LEN, length 100000
    expect(out.length).toBe(4 + 100_000);
    expect(out[4 + 99_999]).toBe(99_999 & 0xff);
  });
});
