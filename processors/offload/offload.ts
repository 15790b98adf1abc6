import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runTask, type TaskInput, type TaskName, type TaskOutput } from './tasks.ts';

/**
 * Runs a task (see `tasks.ts`) on `size` bytes of input: on worker threads when the input is
 * large, so that the thread serving requests and consumers is never held by one document; in the
 * caller when it is small, where a worker's round trip would cost more than the work.
 */
export interface Offload {
  run<K extends TaskName>(
    task: K,
    input: TaskInput<K>,
    size: number,
    options?: { handOver?: Uint8Array },
  ): Promise<TaskOutput<K>>;
  close(): Promise<void>;
}

export interface OffloadSettings {
  /** Worker threads; they share the machine's cores with everything else. */
  threads: number;
  /** Inputs from this many bytes go to a worker. */
  minBytes: number;
}

/** Every task in the caller: for tests, and where nothing else shares the thread. */
export const inlineOffload: Offload = {
  run: async (task, input) => runTask({ task, input }),
  close: async () => {},
};

export function createOffloadPool(settings: OffloadSettings): Offload {
  const pool = new Piscina({
    filename: fileURLToPath(new URL('./worker.mjs', import.meta.url)),
    minThreads: 1,
    maxThreads: settings.threads,
    // Workers stay: starting one loads the TypeScript loader and the tasks' modules again.
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    async run(task, input, size, options) {
      if (size < settings.minBytes) return runTask({ task, input });
      const memory = options?.handOver?.buffer;
      const movable = memory instanceof ArrayBuffer && ownsItsMemory(options?.handOver, memory);
      return pool.run({ task, input }, movable ? { transferList: [memory] } : {});
    },
    close: () => pool.destroy(),
  };
}

/**
 * Whether bytes can be moved to a worker rather than copied: they must be the whole of their
 * memory (a large buffer of its own, not a slice of a shared pool). Moved, the caller's copy is
 * empty afterwards, so only bytes the caller is done with are handed over.
 */
const ownsItsMemory = (bytes: Uint8Array | undefined, memory: ArrayBuffer) =>
  bytes?.byteOffset === 0 && bytes.byteLength === memory.byteLength && bytes.byteLength > 0;
