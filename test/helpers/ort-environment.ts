/**
 * Jest test environment for suites that run ONNX Runtime.
 *
 * Jest runs each test file in its own V8 context, so the sandbox's Float32Array is not the Float32Array that
 * onnxruntime-node's native binding creates output tensors with; onnxruntime-common's `instanceof` checks then
 * fail with "A float32 tensor's data must be type of function Float32Array()". This environment hands the
 * sandbox the outer realm's typed-array constructors (and ArrayBuffer/DataView), so both sides agree.
 *
 * Set for every suite in package.json ("jest.testEnvironment").
 */
import NodeEnvironment from 'jest-environment-node';

const SHARED_GLOBALS = [
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export default class OrtEnvironment extends NodeEnvironment {
  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    const sandbox = this.global as unknown as Record<string, unknown>;
    const outer = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED_GLOBALS) sandbox[name] = outer[name];
  }
}
