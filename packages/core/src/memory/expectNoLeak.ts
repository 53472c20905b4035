import {getGc, readDataHeapBytes, type GcFunction, type HeapSampler} from './gc';
import {mannKendall, olsSlope, theilSenSlope} from './stats';

export interface LeakCheckOptions {
  /** Runs of `fn` that are measured (spread over `samples`). @default 1000 */
  iterations?: number;
  /** Heap readings after GC (the first before any measured run). @default 20 */
  samples?: number;
  /** Unmeasured runs first, so JIT, lazy caches and module init settle. @default max(3 × iterations per sample, 200) */
  warmup?: number;
  /** Slopes below this many bytes per run pass even when significant (one-time lazy growth of V8 internals measured up to ~20 B/run). @default 32 */
  thresholdBytesPerIteration?: number;
  /** Mann–Kendall z above which the trend is significant (2.58 ≈ one-sided p < 0.005). @default 2.58 */
  zCritical?: number;
  gc?: GcFunction;
  sample?: HeapSampler;
  now?: () => number;
}

export interface LeakVerdict {
  /** Significant *and* at least `thresholdBytesPerIteration`. */
  leaking: boolean;
  significant: boolean;
  /** Theil–Sen slope of heap (after GC) over runs. */
  bytesPerIteration: number;
  olsBytesPerIteration: number;
  olsStdErr: number;
  /** Mann–Kendall trend statistic and one-sided p-value. */
  z: number;
  pValue: number;
  iterations: number;
  iterationsPerSample: number;
  thresholdBytesPerIteration: number;
  zCritical: number;
  /** Heap bytes after GC at each sample. */
  heapSamples: number[];
  durationMs: number;
}

function positiveInteger(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`Leakwatch: expectNoLeak option "${name}" must be an integer ≥ ${min}; received ${String(value)}.`);
  }
  return value;
}

/**
 * Runs `fn` repeatedly and decides whether each run leaves memory behind: warm-up, then
 * `samples` heap readings after three full GCs, `iterations / samples` runs between readings; Theil–Sen slope for the size,
 * Mann–Kendall z for the significance. Costs ~2 full GCs per sample (10–50 ms each).
 */
export async function measureLeak(fn: () => unknown, options: LeakCheckOptions = {}): Promise<LeakVerdict> {
  if (typeof fn !== 'function') {
    throw new TypeError(`Leakwatch: expectNoLeak(fn) needs a function to run repeatedly; received ${typeof fn}.`);
  }
  const samples = positiveInteger('samples', options.samples, 20, 4);
  const iterations = positiveInteger('iterations', options.iterations, 1000);
  const perSample = Math.max(1, Math.ceil(iterations / (samples - 1)));
  const warmup = positiveInteger('warmup', options.warmup, Math.max(perSample * 3, 200), 0);
  const threshold = options.thresholdBytesPerIteration ?? 32;
  const zCritical = options.zCritical ?? 2.58;
  const gc = options.gc ?? getGc();
  const sample = options.sample ?? readDataHeapBytes;
    const now = options.now ?? (() => performance.now());
  const started = now();

  // Three full GCs back to back, read right after the last. No event-loop turn in between:
  // an Immediate or a promise per sample is an async resource that an async-hook based
  // tracker (Leakwatch's own) may hold until the test ends, which reads as a trend.
  const read = (): number => {
    gc();
    gc();
    gc();
    return sample();
  };
  const run = async (times: number): Promise<void> => {
    // Await only what returns a promise: an await per run of a synchronous body would add
    // promises (and async-hook work) the body itself does not create.
    for (let i = 0; i < times; i++) {
      const result = fn() as {then?: unknown} | undefined;
      if (result && typeof result.then === 'function') await result;
    }
  };

  await run(warmup);
  // V8 releases some warm-up leftovers (compiled code, feedback) only after the first
  // reading; a discarded reading plus one batch keeps that drop out of the trend.
  read();
  await run(perSample);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < samples; k++) {
    if (k > 0) await run(perSample);
    xs.push(k * perSample);
    ys.push(read());
  }
  const bytesPerIteration = theilSenSlope(xs, ys);
  const ols = olsSlope(xs, ys);
  const trend = mannKendall(ys);
  const significant = trend.z > zCritical;
  return {
    leaking: significant && bytesPerIteration >= threshold,
    significant,
    bytesPerIteration,
    olsBytesPerIteration: ols.slope,
    olsStdErr: ols.stdErr,
    z: trend.z,
    pValue: trend.pValue,
    iterations: perSample * (samples - 1),
    iterationsPerSample: perSample,
    thresholdBytesPerIteration: threshold,
    zCritical,
    heapSamples: ys,
    durationMs: now() - started,
  };
}

/** One line a developer can act on. */
export function describeVerdict(verdict: LeakVerdict): string {
  const slope = `${verdict.bytesPerIteration.toFixed(1)} B/iteration (Theil–Sen; OLS ${verdict.olsBytesPerIteration.toFixed(1)} ± ${verdict.olsStdErr.toFixed(1)})`;
  const trend = `Mann–Kendall z = ${verdict.z.toFixed(2)}, p = ${verdict.pValue.toPrecision(2)}`;
  const rule = `leak = z > ${verdict.zCritical} and slope ≥ ${verdict.thresholdBytesPerIteration} B/iteration`;
  return `heap after GC grew ${slope}; ${trend}; ${verdict.iterations} iterations in ${verdict.heapSamples.length} samples (${rule})`;
}

export class MemoryLeakError extends Error {
  readonly verdict: LeakVerdict;
  constructor(verdict: LeakVerdict) {
    super(`Leakwatch: the function leaks memory: ${describeVerdict(verdict)}.`);
    this.name = 'MemoryLeakError';
    this.verdict = verdict;
  }
}

/** Throws MemoryLeakError when `fn` leaks; resolves with the verdict otherwise. */
export async function expectNoLeak(fn: () => unknown, options?: LeakCheckOptions): Promise<LeakVerdict> {
  const verdict = await measureLeak(fn, options);
  if (verdict.leaking) throw new MemoryLeakError(verdict);
  return verdict;
}

/**
 * Jest matchers, without importing Jest: `expect.extend(leakMatchers)`, then
 * `await expect(fn).not.toLeakMemory({iterations: 500})`.
 */
export const leakMatchers = {
  async toLeakMemory(this: {isNot?: boolean} | undefined, received: unknown, options?: LeakCheckOptions) {
    if (typeof received !== 'function') {
      return {
        pass: false,
        message: () => `expect(received).toLeakMemory() needs a function to run repeatedly; received ${typeof received}`,
      };
    }
    const verdict = await measureLeak(received as () => unknown, options);
    return {
      pass: verdict.leaking,
      message: () =>
        verdict.leaking
          ? `expected the function not to leak memory, but ${describeVerdict(verdict)}`
          : `expected the function to leak memory, but ${describeVerdict(verdict)}`,
    };
  },
};
