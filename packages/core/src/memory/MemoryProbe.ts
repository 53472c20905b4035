import * as v8 from 'node:v8';
import type {Finding, HeapGrowthEntry, MemoryRecord, MemorySample, Severity} from '../model';
import {findingId} from '../state/findingId';
import {collectUntilStable, getGc, nextTurn, readHeapBytes, readOldGenerationBytes, type GcFunction, type HeapSampler} from './gc';
import {diffHeapSummaries, summarizeHeap, type HeapSummary} from './heapSnapshot';
import {isPromise, then, type MaybePromise} from '../util/maybePromise';

export const MiB = 1024 * 1024;

export interface MemoryProbeSettings {
  /** Measure each test file. */
  perFile: boolean;
  /** Also measure each test (one forced GC per test). */
  perTest: boolean;
  growthThresholdBytes: number;
  retainedThresholdBytes: number;
  testGrowthThresholdBytes: number;
  /** Heap snapshots at file start and end, diffed by constructor. */
  heapDiff: boolean;
  /** Heap snapshots only once a file's growth crosses the threshold. */
  snapshotOnLeak: boolean;
  topN: number;
  /** No snapshot above this heap size (a snapshot costs ~2× heap memory and seconds). */
  maxSnapshotHeapBytes: number;
  /** A full GC at every file start instead of only when the heap grew past `startGcTriggerBytes`. */
  exactBaseline: boolean;
  /** Heap growth since the worker's last full-GC reading that makes a file start with a full GC. */
  startGcTriggerBytes: number;
}

export const DEFAULT_MEMORY_SETTINGS: Readonly<MemoryProbeSettings> = {
  perFile: true,
  perTest: false,
  growthThresholdBytes: 24 * MiB,
  retainedThresholdBytes: 32 * MiB,
  testGrowthThresholdBytes: 8 * MiB,
  heapDiff: false,
  snapshotOnLeak: false,
  topN: 10,
  maxSnapshotHeapBytes: 128 * MiB,
  exactBaseline: false,
  startGcTriggerBytes: 16 * MiB,
};

/** Share of a worker's time the start-of-file full GCs may take (see startGcAffordable). */
const START_GC_TIME_SHARE = 0.02;
/**
 * What the first start-of-file full GC is expected to cost. Measured in Jest 29 workers in
 * band: ~45 ms on 50 small files, 36–79 ms on dayjs's suite (90–110 MiB old generation); at
 * 20 ms the share allowed GCs that took it to 2.6–3.2% of such runs.
 */
const ASSUMED_START_GC_MS = 40;

/** What one worker process learned from its last full GC (shared by the files it runs). */
export interface WorkerMemoryState {
  lastLiveBytes?: number;
  /** When this worker's first file started, and the time its start-of-file full GCs took since. */
  firstFileAt?: number;
  startGcMs?: number;
  /** How long the last start-of-file full GC took, and the old generation it started from. */
  lastStartGcMs?: number;
  lastStartGcHeapBytes?: number;
}
const WORKER_STATE: WorkerMemoryState = {};

/** Counts V8's own major GCs between start and stop (they invalidate the screen). */
export type MajorGcCounter = () => {stop(): number};

const countMajorGcs: MajorGcCounter = () => {
  const Profiler = (v8 as {GCProfiler?: new () => {start(): void; stop(): {statistics?: Array<{gcType?: string}>} | undefined}}).GCProfiler;
  if (!Profiler) return {stop: () => Number.POSITIVE_INFINITY}; // unknown: never trust the screen
  const profiler = new Profiler();
  profiler.start();
  return {stop: () => (profiler.stop()?.statistics ?? []).filter(entry => entry.gcType === 'MarkSweepCompact').length};
};

export interface MemoryProbeDeps {
  gc?: GcFunction;
  sample?: HeapSampler;
  /** `sample` without the young generation: no GC needed to leave its garbage out. */
  sampleOld?: HeapSampler;
  /** Heap summary by constructor (a parsed heap snapshot). */
  summarize?: () => HeapSummary;
  now?: () => number;
  turn?: () => Promise<void>;
  /** @default one object per worker process */
  worker?: WorkerMemoryState;
  majorGcs?: MajorGcCounter;
}

export interface MemoryMeasurement {
  beforeBytes: number;
  afterBytes: number;
  growthBytes: number;
  /** `true` when `afterBytes` came from forced full GCs; `false` = upper bound after a scavenge. */
  exact: boolean;
  /**
   * `true` when `beforeBytes` came from a full GC. When `false` it is an upper bound of live
   * memory, so an exact `afterBytes` makes `growthBytes` a lower bound (still enough to flag).
   */
  baselineExact: boolean;
}

/** A measurement and how its end reading was taken (the sample label). */
type Reading = MemoryMeasurement & {method: string};

interface ScreenOptions {
  threshold: number;
  leakBar?: number;
  force?: boolean;
  baselineExact: boolean;
  /** What readings after full GCs count growth from (see MemoryProbe.liveCeiling). @default the baseline */
  liveCeiling?: number;
  bound?: string;
}

function withoutFullGc(baseline: number, afterBytes: number, baselineExact: boolean, method: string): Reading {
  return {beforeBytes: baseline, afterBytes, growthBytes: afterBytes - baseline, exact: false, baselineExact, method};
}

function measurementOf({method: _method, ...measurement}: Reading): MemoryMeasurement {
  return measurement;
}

function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * Heap probe for one test file (one instance per file; the environment drives it).
 *
 * Method (the default must stay cheap: a forced full GC costs 13–50+ ms):
 * - `fileStart` (run_start, after the test file's modules loaded): a reading U of everything
 *   outside the young generation (no GC). If the worker has no full-GC reading yet, or U
 *   exceeds the last one by `startGcTriggerBytes` (garbage piled up), a full GC makes the
 *   baseline exact, as long as such GCs stay within 2% of the worker's time; otherwise U
 *   itself is the baseline — an upper bound of old-generation live memory at start — and a
 *   plain reading (young generation included) is the ceiling exact end readings count growth
 *   from: run_start comes right after the file's modules were loaded and transformed, and
 *   the young generation can then hold tens of MiB of live objects (ts-jest's compiler
 *   caches, on Node 24), which are not the file's growth.
 * - `fileEnd` (run_finish): a plain reading, then if needed one after a young-generation GC.
 *   With an exact baseline, or if V8 ran no major GC in between (GCProfiler), reading −
 *   baseline is an upper bound of the growth: below the threshold the file is clean, no full
 *   GC paid. Otherwise full GCs run until two readings agree within 256 KiB (max 4, one turn
 *   apart) and reading − baseline is exact or, with an upper-bound baseline, a lower bound;
 *   the file is flagged only when that is ≥ the threshold (half of it on a lower bound, see
 *   isFileLeak), so garbage never causes a finding. After V8's own major GC an upper-bound
 *   baseline gives no upper bound, so the screen's bar drops to that lower-bound bar.
 * - `afterTeardown`: the same screen against the file's baseline → retained bytes.
 * - per test (opt-in): a full GC at test start, the same screen at test end.
 * Readings are V8 heap used + external memory (Buffers/ArrayBuffers).
 */
export class MemoryProbe {
  readonly settings: MemoryProbeSettings;
  readonly warnings: string[] = [];
  /** Milliseconds spent inside the probe (GCs, readings, snapshots). */
  costMs = 0;
  gcCount = 0;
  private readonly gc: GcFunction;
  private readonly sample: HeapSampler;
  private readonly sampleOld: HeapSampler;
  private readonly summarize: () => HeapSummary;
  private readonly now: () => number;
  private readonly turn: () => Promise<void>;
  private readonly samples: MemorySample[] = [];
  private file: MemoryMeasurement | undefined;
  private baseline: number | undefined;
  /**
   * No less than all memory live at file start: the baseline when exact, else a plain reading
   * (young generation included). Growth measured after full GCs counts from it, so it is a
   * lower bound, as a finding needs.
   */
  private liveCeiling: number | undefined;
  private retainedBytes: number | undefined;
  private retainedExact = false;
  private testBaseline: number | undefined;
  private baselineExact = false;
  private majorGcsDuringFile: ReturnType<MajorGcCounter> | undefined;
  private readonly worker: WorkerMemoryState;
  private readonly majorGcs: MajorGcCounter;
  private startSummary: HeapSummary | undefined;
  private endSummary: HeapSummary | undefined;
  private topGrowth: HeapGrowthEntry[] | undefined;
  private topGrowthMethod: string | undefined;

  constructor(settings: Partial<MemoryProbeSettings> = {}, deps: MemoryProbeDeps = {}) {
    this.settings = {...DEFAULT_MEMORY_SETTINGS, ...settings};
    this.gc = deps.gc ?? getGc();
    this.sample = deps.sample ?? readHeapBytes;
    this.sampleOld = deps.sampleOld ?? readOldGenerationBytes;
    this.summarize = deps.summarize ?? summarizeHeap;
    this.now = deps.now ?? (() => performance.now());
    this.turn = deps.turn ?? nextTurn;
    this.worker = deps.worker ?? WORKER_STATE;
    this.majorGcs = deps.majorGcs ?? countMajorGcs;
  }

  fileStart(): MaybePromise<void> {
    if (!this.settings.perFile) return;
    return this.timed(() => {
      // Outside the young generation: the scavenge that would leave its garbage out is not needed.
      const bound = this.sampleOld();
      const last = this.worker.lastLiveBytes;
      if (this.settings.exactBaseline || this.settings.heapDiff) {
        // Asked for exact numbers: GC until stable, as at the end (the previous file's sandbox
        // can need more than one full GC and a loop turn to go).
        return collectUntilStable(this.gc, this.sample, {turn: this.turn}).then(settled => {
          this.gcCount += settled.gcCount;
          this.setBaseline(settled.bytes, true);
        });
      }
      if ((last === undefined || bound - last >= this.settings.startGcTriggerBytes) && this.startGcAffordable(bound)) {
        const started = this.now();
        this.fullGc();
        const tookMs = this.now() - started;
        this.worker.startGcMs = (this.worker.startGcMs ?? 0) + tookMs;
        this.worker.lastStartGcMs = tookMs;
        this.worker.lastStartGcHeapBytes = bound;
        this.setBaseline(this.sample(), true);
      } else {
        // A second reading: never below the first, whatever moved in between.
        this.setBaseline(bound, false, Math.max(bound, this.sample()));
      }
    });
  }

  private setBaseline(bytes: number, exact: boolean, liveCeiling = bytes): void {
    this.baseline = bytes;
    this.liveCeiling = liveCeiling;
    this.baselineExact = exact;
    if (exact) this.worker.lastLiveBytes = bytes;
    this.samples.push({label: exact ? 'run_start (after full GC)' : 'run_start (old generation, upper bound)', heapUsedBytes: bytes});
    if (liveCeiling !== bytes) this.samples.push({label: 'run_start (young generation included, upper bound)', heapUsedBytes: liveCeiling});
    if (this.settings.heapDiff) this.startSummary = this.trySummarize('file start');
    this.majorGcsDuringFile = this.majorGcs();
  }

  /** Measures the file's growth; returns undefined when fileStart did not run. */
  fileEnd(): MaybePromise<MemoryMeasurement | undefined> {
    const baseline = this.baseline;
    if (baseline === undefined) return undefined;
    return this.timed(() => {
      const majors = this.majorGcsDuringFile?.stop() ?? Number.POSITIVE_INFINITY;
      this.majorGcsDuringFile = undefined;
      const threshold = this.settings.growthThresholdBytes;
      // heapDiff asked for exact numbers (and its end snapshot's size check must not count garbage).
      const force = this.settings.heapDiff;
      // A reading minus an exact baseline bounds the growth from above whatever V8 collected.
      // Minus an upper-bound baseline it does not once V8 ran a full GC during the file (the
      // garbage the baseline counted may be gone); but no full GC can leave more than the
      // reading, so below the bar a leak needs on a lower bound (isFileLeak) the verdict is
      // already known, and only above it do full GCs have to measure.
      const leakBar = this.baselineExact ? threshold : threshold / 2;
      const screen =
        majors > 0 && !this.baselineExact
          ? this.screen(baseline, {threshold: leakBar, force, baselineExact: false, liveCeiling: this.liveCeiling, bound: 'below the bar for a leak; V8 ran a full GC during the file'})
          : this.screen(baseline, {threshold, leakBar, force, baselineExact: this.baselineExact, liveCeiling: this.liveCeiling});
      return then(screen, reading => {
        this.samples.push({label: `run_finish (${reading.method})`, heapUsedBytes: reading.afterBytes});
        const measurement = measurementOf(reading);
        this.file = measurement;
        const leaking = this.isFileLeak(measurement);
        if (this.settings.heapDiff && this.startSummary) {
          this.endSummary = this.trySummarize('file end');
          if (this.endSummary) {
            this.topGrowth = diffHeapSummaries(this.startSummary, this.endSummary, this.settings.topN);
            this.topGrowthMethod = 'file start → file end';
          }
        } else if (this.settings.snapshotOnLeak && leaking) {
          // No start snapshot exists (one per file would cost seconds), and the sandbox is
          // still reachable after teardown, so there is nothing to diff against: list what
          // the heap holds most of at the end of the leaking file.
          this.endSummary = this.trySummarize('file end');
          if (this.endSummary) {
            this.topGrowth = diffHeapSummaries(new Map(), this.endSummary, this.settings.topN);
            this.topGrowthMethod = 'largest groups at file end (no start snapshot)';
          }
        }
        return measurement;
      });
    });
  }

  /** After the environment's teardown: memory the file added that is still reachable. */
  afterTeardown(): MaybePromise<void> {
    const baseline = this.baseline;
    const file = this.file;
    if (baseline === undefined || !file) return;
    return this.timed(() =>
      // Exact when the file already looked leaky, so the two numbers can be compared.
      then(this.screen(baseline, {threshold: this.settings.retainedThresholdBytes, force: this.isFileLeak(file), baselineExact: this.baselineExact, liveCeiling: this.liveCeiling}), reading => {
        this.retainedBytes = reading.growthBytes;
        this.retainedExact = reading.exact;
        this.samples.push({label: `after teardown (${reading.method})`, heapUsedBytes: reading.afterBytes});
      }),
    );
  }

  testStart(): MaybePromise<void> {
    if (!this.settings.perTest) return;
    return this.timed(() => {
      this.fullGc();
      this.testBaseline = this.sample();
    });
  }

  /** The test's growth (exact when it crossed the threshold, else an upper bound). */
  testEnd(): MaybePromise<MemoryMeasurement | undefined> {
    const baseline = this.testBaseline;
    this.testBaseline = undefined;
    if (baseline === undefined) return undefined;
    return this.timed(() => then(this.screen(baseline, {threshold: this.settings.testGrowthThresholdBytes, baselineExact: true}), measurementOf));
  }

  record(): MemoryRecord | undefined {
    if (this.baseline === undefined || !this.file) return undefined;
    const record: MemoryRecord = {
      heapBeforeBytes: this.file.beforeBytes,
      heapAfterBytes: this.file.afterBytes,
      growthBytes: this.file.growthBytes,
      samples: [...this.samples],
    };
    if (this.retainedBytes !== undefined) record.retainedAfterTeardownBytes = this.retainedBytes;
    if (this.topGrowth) record.topGrowth = this.topGrowth;
    return record;
  }

  /** File-scope `memory` findings (growth during the file, retained after teardown). */
  fileFindings(file: string, severity: Severity | 'off'): Finding[] {
    if (severity === 'off' || !this.file) return [];
    const findings: Finding[] = [];
    const details = {
      heapBeforeBytes: this.file.beforeBytes,
      heapAfterBytes: this.file.afterBytes,
      growthBytes: this.file.growthBytes,
      thresholdBytes: this.settings.growthThresholdBytes,
      gcCount: this.gcCount,
      baselineExact: this.file.baselineExact,
      probeMs: Math.round(this.costMs),
      ...(this.topGrowth ? {topGrowth: this.topGrowth, topGrowthMethod: this.topGrowthMethod} : {}),
    };
    const grew = this.isFileLeak(this.file);
    if (grew) {
      const top = this.topGrowth?.[0];
      findings.push({
        id: findingId([file, 'file', 'memory', 'growth']),
        kind: 'memory',
        severity,
        scope: 'file',
        scopePath: [],
        resourceType: 'heap',
        message:
          `Heap grew by ${this.file.baselineExact ? '' : 'at least '}${formatBytes(this.file.growthBytes)} from the start to the end of this file's tests, measured after forced GC ` +
          `(threshold ${formatBytes(this.settings.growthThresholdBytes)})` +
          (top ? `; largest growth: ${top.constructor} ×${top.count} (${formatBytes(top.bytes)})` : ''),
        stack: [],
        details,
      });
    }
    // Measured inside the environment's teardown, the sandbox is still reachable (the
    // environment object holds its global, whose circus state holds the test functions and
    // their module scopes), so a file that grew also "retains": one finding says it. This
    // one is for memory that appeared after the last test (afterAll, teardown).
    if (!grew && this.retainedExact && this.retainedBytes !== undefined && this.retainedBytes >= this.settings.retainedThresholdBytes) {
      findings.push({
        id: findingId([file, 'file', 'memory', 'retained']),
        kind: 'memory',
        severity,
        scope: 'file',
        scopePath: [],
        resourceType: 'heap-after-teardown',
        message:
          `${formatBytes(this.retainedBytes)} allocated by this file was still reachable after its environment was torn down ` +
          `(threshold ${formatBytes(this.settings.retainedThresholdBytes)})`,
        stack: [],
        details: {...details, retainedAfterTeardownBytes: this.retainedBytes, thresholdBytes: this.settings.retainedThresholdBytes},
      });
    }
    return findings;
  }

  /** A test-scope `memory` finding when the test's exact growth crossed the threshold. */
  testFinding(file: string, scopePath: string[], measurement: MemoryMeasurement, severity: Severity | 'off'): Finding | undefined {
    if (severity === 'off' || !measurement.exact || measurement.growthBytes < this.settings.testGrowthThresholdBytes) return undefined;
    return {
      id: findingId([file, 'test', ...scopePath, 'memory']),
      kind: 'memory',
      severity,
      scope: 'test',
      scopePath: [...scopePath],
      resourceType: 'heap',
      message: `Heap grew by ${formatBytes(measurement.growthBytes)} during this test, measured after forced GC (threshold ${formatBytes(this.settings.testGrowthThresholdBytes)})`,
      stack: [],
      details: {
        heapBeforeBytes: measurement.beforeBytes,
        heapAfterBytes: measurement.afterBytes,
        growthBytes: measurement.growthBytes,
        thresholdBytes: this.settings.testGrowthThresholdBytes,
      },
    };
  }

  /**
   * Exact growth ≥ threshold; or, with an upper-bound baseline (growth, counted from the live
   * ceiling, is then a lower bound, short by the garbage present at start, which can be a
   * whole previous sandbox), a lower bound ≥ half the threshold while the upper bound crossed
   * it. Allocate-and-release reads ≤ 0 either way, so garbage never qualifies; the price is
   * that in the cheap mode real growth between threshold/2 and threshold may be reported.
   */
  private isFileLeak(reading: MemoryMeasurement): boolean {
    if (!reading.exact) return false;
    const threshold = this.settings.growthThresholdBytes;
    return reading.growthBytes >= (reading.baselineExact ? threshold : threshold / 2);
  }

  /**
   * Cheapest upper bound first: a plain reading (all garbage included), then one after a
   * scavenge; full GCs only when both cross `threshold` (or `force`). Unless forced to measure
   * exactly, the full GCs stop at a reading below `leakBar` (the growth a finding needs,
   * `threshold` unless given) from the second on (see collectUntilStable): another GC could
   * only read less. `bound` names what a reading without a full GC is, for the sample label.
   */
  private screen(
    baseline: number,
    {threshold, leakBar = threshold, force = false, baselineExact, liveCeiling = baseline, bound = 'upper bound'}: ScreenOptions,
  ): MaybePromise<Reading> {
    if (!force) {
      // Below the bar counted from the live ceiling, no GC could bring a finding: an exact end
      // reading is no higher. On an upper-bound baseline that settles most files whose young
      // generation simply holds more garbage at the end than at the start.
      const settled = (reading: number): boolean => reading - baseline < threshold || (liveCeiling > baseline && reading - liveCeiling < leakBar);
      const plain = this.sample();
      if (settled(plain)) return withoutFullGc(baseline, plain, baselineExact, `no GC, ${bound}`);
      this.gc('minor');
      const scavenged = this.sample();
      if (settled(scavenged)) return withoutFullGc(baseline, scavenged, baselineExact, `after scavenge, ${bound}`);
    }
    // Exact end readings count from the live ceiling: a lower bound of the growth when the
    // baseline is not exact (the young generation's live objects at start are in it).
    const enough = force ? undefined : (bytes: number) => bytes - liveCeiling < leakBar;
    return collectUntilStable(this.gc, this.sample, {turn: this.turn, enough}).then(settled => {
      this.gcCount += settled.gcCount;
      this.worker.lastLiveBytes = settled.bytes;
      return {beforeBytes: liveCeiling, afterBytes: settled.bytes, growthBytes: settled.bytes - liveCeiling, exact: true, baselineExact, method: 'after full GC'};
    });
  }

  /**
   * Whether this worker can pay for another full GC at a file start (`oldBytes`: the old
   * generation it would start from): at most START_GC_TIME_SHARE of its time since its first
   * file goes into them, this one included. It is expected to cost what the last one did,
   * scaled up if the old generation grew since (Jest 29 in band keeps growing it, and a GC
   * over more heap takes longer). So the first file starts without one: measured, a worker's old
   * generation holds 0.4–8 MiB of garbage then, well under what would hide a leak. A full GC
   * costs 10–80 ms at the heap sizes of a Jest worker, and files pile up garbage faster than
   * that share allows on suites of many small files; a file that starts without one only has a
   * looser baseline (garbage at start can hide growth, never cause a finding). `exactBaseline`
   * is not limited.
   */
  private startGcAffordable(oldBytes: number): boolean {
    const now = this.now();
    const worker = this.worker;
    worker.firstFileAt ??= now;
    const expectedMs =
      worker.lastStartGcMs === undefined
        ? ASSUMED_START_GC_MS
        : worker.lastStartGcMs * Math.max(1, oldBytes / (worker.lastStartGcHeapBytes ?? oldBytes));
    // Counting the GC about to run, so the share holds after it too.
    return (worker.startGcMs ?? 0) + expectedMs <= START_GC_TIME_SHARE * (now - worker.firstFileAt);
  }

  private fullGc(): void {
    this.gc('major');
    this.gcCount++;
  }

  private trySummarize(when: string): HeapSummary | undefined {
    const heap = this.sample();
    if (heap > this.settings.maxSnapshotHeapBytes) {
      this.warnings.push(
        `heap snapshot at ${when} skipped: heap is ${formatBytes(heap)}, above maxSnapshotHeapBytes (${formatBytes(this.settings.maxSnapshotHeapBytes)})`,
      );
      return undefined;
    }
    try {
      return this.summarize();
    } catch (error) {
      this.warnings.push(`heap snapshot at ${when} failed: ${(error as Error)?.message ?? String(error)}`);
      return undefined;
    }
  }

  private timed<T>(body: () => MaybePromise<T>): MaybePromise<T> {
    const start = this.now();
    const stop = (): void => {
      this.costMs += this.now() - start;
    };
    let result: MaybePromise<T>;
    try {
      result = body();
    } catch (error) {
      stop();
      throw error;
    }
    if (!isPromise(result)) {
      stop();
      return result;
    }
    return result.finally(stop);
  }
}
