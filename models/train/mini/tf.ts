/**
 * TensorFlow.js for training, without native binaries (tfjs-node is not used: its install downloads a library
 * from outside the npm registry). Backend 'wasm' (@tensorflow/tfjs-backend-wasm, XNNPACK, SIMD) by default, or
 * the pure-JS 'cpu' backend (HYSAC_TF_BACKEND=cpu): both compute the same model; wasm is several times faster
 * on the matrix products. Both are deterministic for a given op sequence.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | null = null;

export type BackendName = 'wasm' | 'cpu';

/** Selects the backend once and returns the tf namespace. */
export function initTf(backend: BackendName = (process.env.HYSAC_TF_BACKEND as BackendName | undefined) ?? 'wasm'): Promise<typeof tf> {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    if (backend === 'wasm') {
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      setWasmPaths(dist + path.sep);
      setThreadsCount(Number(process.env.HYSAC_TF_THREADS ?? 1));
    }
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' could not be initialised`);
    await tf.ready();
    return tf;
  })();
  return ready;
}

export { tf };
