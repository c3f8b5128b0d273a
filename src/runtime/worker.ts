/**
 * A model worker thread: owns one ONNX Runtime session per tower and runs batches sent by pool.ts.
 * onnxruntime-node computes on the calling thread, so this is where inference must happen: the main
 * event loop only tokenises, batches and lifts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSession, runSession, type OrtSession, type FeedValue } from './ort';
import type { RunRequest, Tower, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

function view(req: RunRequest): FeedValue {
  if (req.dtype === 'float32') return new Float32Array(req.buffer);
  if (req.dtype === 'int64') return new BigInt64Array(req.buffer);
  return new Int32Array(req.buffer);
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const sessions = {} as Record<Tower, OrtSession>;
  try {
    for (const tower of ['text', 'image'] as Tower[]) {
      sessions[tower] = await createSession(init.models[tower], {
        intraOpThreads: init.intraOpThreads,
        executionProviders: init.executionProviders,
      });
    }
  } catch (e) {
    reply({ type: 'init-error', message: (e as Error).message });
    return;
  }
  // Exit only between runs: releasing a session or ending the thread during a native run aborts the process.
  let running = false;
  let closing = false;
  const exit = async (): Promise<void> => {
    await Promise.all(Object.values(sessions).map((s) => s.release().catch(() => undefined)));
    process.exit(0);
  };
  parentPort!.on('message', async (msg: WorkerRequest) => {
    if (msg.type === 'close') {
      closing = true;
      if (!running) await exit();
      return;
    }
    if (closing) return;
    running = true;
    const t0 = performance.now();
    try {
      const out = await runSession(sessions[msg.tower], { [msg.inputName]: { data: view(msg), dims: msg.dims } }, [msg.outputName]);
      const result = out[msg.outputName];
      // Copy into a fresh buffer we own, so it can be transferred without copying again.
      const data = new Float32Array(result.data);
      reply({ type: 'result', id: msg.id, buffer: data.buffer, dims: result.dims, ms: performance.now() - t0 }, [data.buffer]);
    } catch (e) {
      reply({ type: 'error', id: msg.id, message: (e as Error).message });
    } finally {
      running = false;
      if (closing) await exit();
    }
  });
  reply({ type: 'ready' });
}

void main();
