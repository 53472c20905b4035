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
 * V8 heap in use plus ArrayBuffer/Buffer backing stores (a test that caches Buffers grows
 * those, not the heap). `arrayBuffers` from process.memoryUsage(), not V8's
 * `external_memory`: on Node 20 the latter stops following frees and re-allocations of
 * large Buffers (measured: stuck at one value across files). ~10–100 µs.
 */
export const readHeapBytes: HeapSampler = () => v8.getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;

const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

/**
 * readHeapBytes without the young generation. Its garbage is most of a plain reading's noise
 * and only a GC could separate it; leaving the whole generation out instead needs no GC and
 * undercounts live memory by the young objects still alive (< 1 MiB between test files).
 */
export const readOldGenerationBytes: HeapSampler = () => {
  let bytes = readHeapBytes();
  for (const space of v8.getHeapSpaceStatistics()) {
    if (YOUNG_SPACES.has(space.space_name)) bytes -= space.space_used_size;
  }
  return bytes;
};

/**
 * readHeapBytes without V8's code spaces: optimized code appears in steps as a function
 * gets hot, which a repeat-and-fit test would read as a trend.
 */
export const readDataHeapBytes: HeapSampler = () => {
  let bytes = readHeapBytes();
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
 * `maxRounds`, or until a reading after the second is `enough` (more GCs could only lower
 * it). Never fewer than two: after one, Buffers found dead can still be counted (measured:
 * ~40 MiB of 64 MiB released), and that reading becomes the worker's next live baseline.
 * Returns the last reading.
 */
export async function collectUntilStable(
  gc: GcFunction,
  sample: HeapSampler,
  {
    maxRounds = 4,
    toleranceBytes = 256 * 1024,
    turn = nextTurn,
    enough = () => false,
  }: {maxRounds?: number; toleranceBytes?: number; turn?: () => Promise<void>; enough?: (bytes: number) => boolean} = {},
): Promise<SettledReading> {
  gc('major');
  let previous = sample();
  let gcCount = 1;
  while (gcCount < maxRounds && !(gcCount >= 2 && enough(previous))) {
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
