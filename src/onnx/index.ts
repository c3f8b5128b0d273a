/** Writing ONNX models from TypeScript: a protobuf writer (proto.ts) and a graph builder (graph.ts). */
export { GraphBuilder, OnnxGraphError, writeModel, rawLittleEndian } from './graph';
export type { Attrs, AttrValue, Dim, ElemType, ModelOptions, NodeOptions, TensorData, TensorValue } from './graph';
export { ProtoWriter, ONNX_FIELDS, AttributeType, DataType, WireType } from './proto';
