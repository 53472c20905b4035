import * as v8 from 'node:v8';
import {setImmediate as realSetImmediate} from 'node:timers';
import * as vm from 'node:vm';

/** Forces a garbage collection; `minor` = young generation only (a scavenge, ~0.3 ms). */
export type GcFunction = (type?: 'major' | 'minor') => void;
/** Live-memory reading in bytes. */
export type HeapSampler = () => number;

type NativeGc = (options?: {type?: 'major' | 'minor'; execution?: 'sync'}) => void;

let cachedGc: GcFunction | undefined;

/**
 * V8's `gc()` without requiring `--expose-gc` from the user: flip the flag, let a fresh
 * context pick the function up, flip it back so later contexts (every test sandbox) do
 * not get a `gc` global. The same trick as Jest's collectHandles and jest-leak-detector.
 */
export function getGc(): GcFunction {
  if (cachedGc) return cachedGc;
  let native = (globalThis as {gc?: unknown}).gc as NativeGc | undefined;
  if (typeof native !== 'function') {
    v8.setFlagsFromString('--expose-gc');
    try {
      native = vm.runInNewContext('gc') as NativeGc;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  const gc = native;
  cachedGc = type => {
    if (type === 'minor') gc({type: 'minor'});
    else gc();
  };
  return cachedGc;
}

/**
 * V8 heap in use plus memory held outside the heap by ArrayBuffers and Buffers (a test
 * that caches Buffers grows `external_memory`, not `used_heap_size`). `getHeapStatistics`
 * costs ~0.1 ms; `process.memoryUsage()` also reads RSS, which costs up to 14 ms.
 */
export const readHeapBytes: HeapSampler = () => {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
};

/**
 * readHeapBytes without V8's code spaces: optimized code appears in steps as a function
 * gets hot, which a repeat-and-fit test would read as a trend.
 */
export const readDataHeapBytes: HeapSampler = () => {
  const stats = v8.getHeapStatistics();
  let bytes = stats.used_heap_size + stats.external_memory;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name.startsWith('code')) bytes -= space.space_used_size;
  }
  return bytes;
};

/**
 * One macrotask turn: lets FinalizationRegistry and weak callbacks run between GCs. From
 * `node:timers`, not the global, so a test's fake timers cannot stall it.
 */
export function nextTurn(): Promise<void> {
  return new Promise(resolve => realSetImmediate(resolve));
}

export interface SettledReading {
  bytes: number;
  gcCount: number;
}

/**
 * Full GCs until two consecutive readings differ by less than `toleranceBytes` (freeing
 * external buffers and objects kept by finalizers takes more than one cycle), at most
 * `maxRounds`. Returns the last reading.
 */
export async function collectUntilStable(
  gc: GcFunction,
  sample: HeapSampler,
  {maxRounds = 4, toleranceBytes = 256 * 1024, turn = nextTurn}: {maxRounds?: number; toleranceBytes?: number; turn?: () => Promise<void>} = {},
): Promise<SettledReading> {
  gc('major');
  let previous = sample();
  let gcCount = 1;
  while (gcCount < maxRounds) {
    await turn();
    gc('major');
    gcCount++;
    const current = sample();
    const settled = Math.abs(current - previous) < toleranceBytes;
    previous = current;
    if (settled) break;
  }
  return {bytes: previous, gcCount};
}
