/**
 * A minimal protocol-buffers writer: just what serialising an ONNX ModelProto needs.
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/):
 *   every field is a tag varint `(fieldNumber << 3) | wireType`, then the value:
 *     wire type 0 (VARINT): base-128 varint, 7 bits a byte, least significant group first, high bit = "more".
 *                            Negative int32/int64 are written as their 64-bit two's complement (10 bytes);
 *                            ONNX uses no sint/zigzag fields, so zigzag is not implemented.
 *     wire type 2 (LEN):    varint byte length, then the bytes (strings, bytes, nested messages, packed repeats).
 *     wire type 5 (I32):    4 bytes little-endian (float).
 *   A packed repeated scalar is one LEN field holding the values back to back; an unpacked one repeats the
 *   tag for each value. Parsers accept both forms for any repeated scalar field.
 *
 * Field numbers used by the ONNX writer live in ONNX_FIELDS below, checked against onnx/onnx.proto.
 */

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/**
 * Field numbers from onnx.proto (package onnx, proto2) that graph.ts writes.
 * Each comment is the declaration in onnx.proto.
 */
export const ONNX_FIELDS = {
  model: {
    irVersion: 1, // optional int64 ir_version = 1;
    producerName: 2, // optional string producer_name = 2;
    producerVersion: 3, // optional string producer_version = 3;
    docString: 6, // optional string doc_string = 6;
    graph: 7, // optional GraphProto graph = 7;
    opsetImport: 8, // repeated OperatorSetIdProto opset_import = 8;
  },
  graph: {
    node: 1, // repeated NodeProto node = 1;
    name: 2, // optional string name = 2;
    initializer: 5, // repeated TensorProto initializer = 5;
    input: 11, // repeated ValueInfoProto input = 11;
    output: 12, // repeated ValueInfoProto output = 12;
  },
  node: {
    input: 1, // repeated string input = 1;
    output: 2, // repeated string output = 2;
    name: 3, // optional string name = 3;
    opType: 4, // optional string op_type = 4;
    attribute: 5, // repeated AttributeProto attribute = 5;
    domain: 7, // optional string domain = 7;
  },
  attribute: {
    name: 1, // optional string name = 1;
    f: 2, // optional float f = 2;
    i: 3, // optional int64 i = 3;
    s: 4, // optional bytes s = 4;
    t: 5, // optional TensorProto t = 5;
    floats: 7, // repeated float floats = 7;
    ints: 8, // repeated int64 ints = 8;
    type: 20, // optional AttributeType type = 20;
  },
  tensor: {
    dims: 1, // repeated int64 dims = 1;
    dataType: 2, // optional int32 data_type = 2;
    name: 8, // optional string name = 8;
    rawData: 9, // optional bytes raw_data = 9;
  },
  valueInfo: {
    name: 1, // optional string name = 1;
    type: 2, // optional TypeProto type = 2;
  },
  typeProto: {
    tensorType: 1, // Tensor tensor_type = 1; (oneof value)
  },
  typeTensor: {
    elemType: 1, // optional int32 elem_type = 1;
    shape: 2, // optional TensorShapeProto shape = 2;
  },
  tensorShape: {
    dim: 1, // repeated Dimension dim = 1;
  },
  dimension: {
    dimValue: 1, // int64 dim_value = 1; (oneof value)
    dimParam: 2, // string dim_param = 2; (oneof value)
  },
  operatorSetId: {
    domain: 1, // optional string domain = 1;
    version: 2, // optional int64 version = 2;
  },
} as const;

/** AttributeProto.AttributeType values (onnx.proto). */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** TensorProto.DataType values (onnx.proto). */
export const DataType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7, BOOL: 9 } as const;

const TWO_64 = 1n << 64n;
const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growable byte buffer. */
export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far (a copy-free view; do not keep it across further writes). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /**
   * Raw varint. Accepts any integer in [-2^63, 2^64): negatives become their 64-bit two's complement
   * (so int64 -1 is ten bytes ff ff ff ff ff ff ff ff ff 01), as protobuf does for int32/int64 fields.
   */
  varint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
      if (value >= 0 && value < 0x80000000) {
        // Fast path: small non-negative numbers without BigInt.
        this.reserve(5);
        let v = value;
        while (v >= 0x80) {
          this.buf[this.len++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        this.buf[this.len++] = v;
        return this;
      }
      value = BigInt(value);
    }
    if (value < -(1n << 63n) || value >= TWO_64) throw new RangeError(`varint: ${value} is outside 64 bits`);
    let v = value < 0n ? value + TWO_64 : value;
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  /** Raw bytes, no tag or length. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  tag(field: number, wireType: number): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad field number ${field}`);
    return this.varint(field * 8 + wireType);
  }

  /** int32/int64/enum field (wire type 0). */
  int64Field(field: number, value: number | bigint): this {
    return this.tag(field, WireType.VARINT).varint(value);
  }

  /** float field (wire type 5, IEEE 754 single, little-endian). */
  floatField(field: number, value: number): this {
    this.tag(field, WireType.I32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  /** bytes / embedded message field (wire type 2): length varint, then the bytes. */
  bytesField(field: number, bytes: Uint8Array): this {
    return this.tag(field, WireType.LEN).varint(bytes.length).raw(bytes);
  }

  /** string field: UTF-8 bytes as a LEN field. */
  stringField(field: number, value: string): this {
    return this.bytesField(field, textEncoder.encode(value));
  }

  /** Embedded message: `build` writes the message's fields into a fresh writer; the result is a LEN field. */
  messageField(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  /** Packed repeated float (one LEN field of 4-byte little-endian floats). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytesField(field, bytes);
  }

  /** Packed repeated int64 (one LEN field of varints). */
  packedInt64s(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter(values.length * 2);
    for (let i = 0; i < values.length; i++) inner.varint(values[i]);
    return this.bytesField(field, inner.finish());
  }

  /** Unpacked repeated float: the tag before every value (proto2's default encoding for `repeated float`). */
  repeatedFloats(field: number, values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.floatField(field, values[i]);
    return this;
  }

  /** Unpacked repeated int64: the tag before every value (proto2's default encoding for `repeated int64`). */
  repeatedInt64s(field: number, values: ArrayLike<number | bigint>): this {
    for (let i = 0; i < values.length; i++) this.int64Field(field, values[i]);
    return this;
  }
}
