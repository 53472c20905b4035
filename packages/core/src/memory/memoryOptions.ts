import {invalidOption} from '../errors';
import {checkBoolean as bool, checkIntegerInRange, checkNonNegativeNumber, isPlainObject, rejectUnknownKeys} from '../validate';
import {DEFAULT_MEMORY_SETTINGS, type MemoryProbeSettings} from './MemoryProbe';

/** `testEnvironmentOptions.leakwatch.memory`. */
export interface MemoryOptions {
  /** Also measure each test after a forced GC (costs one full GC per test). @default false */
  perTest?: boolean;
  /** A file whose heap grows by this much (after GC) gets a `memory` finding. @default 25165824 (24 MiB) */
  growthThresholdBytes?: number;
  /** Memory still reachable after the file's teardown that gets a finding. @default 33554432 (32 MiB) */
  retainedThresholdBytes?: number;
  /** Per-test growth that gets a finding (with `perTest`). @default 8388608 (8 MiB) */
  testGrowthThresholdBytes?: number;
  /** Heap snapshots at file start and end, top growth by constructor (seconds per file). @default false */
  heapDiff?: boolean;
  /** Heap snapshots only for files whose growth crossed the threshold. @default false */
  snapshotOnLeak?: boolean;
  /** Constructors listed in `topGrowth`. @default 10 */
  topN?: number;
  /** No heap snapshot above this heap size. @default 134217728 (128 MiB) */
  maxSnapshotHeapBytes?: number;
  /** A full GC at every file start (exact growth numbers, ~13–50 ms per file). @default false */
  exactBaseline?: boolean;
  /**
   * Heap growth since the worker's last full GC that makes a file start with one; such GCs take
   * at most 2% of the worker's time (without one, the file's baseline is only looser).
   * @default 16777216 (16 MiB)
   */
  startGcTriggerBytes?: number;
}

const MEMORY_KEYS = [
  'perTest',
  'growthThresholdBytes',
  'retainedThresholdBytes',
  'testGrowthThresholdBytes',
  'heapDiff',
  'snapshotOnLeak',
  'topN',
  'maxSnapshotHeapBytes',
  'exactBaseline',
  'startGcTriggerBytes',
] as const satisfies ReadonlyArray<keyof MemoryOptions>;

const bytes = (key: string, value: unknown): number =>
  checkNonNegativeNumber(key, value, 'a non-negative number of bytes, e.g. 33554432 for 32 MiB');

/** Validates the `memory` option: `false` turns measuring off, `true`/omitted = defaults. */
export function resolveMemoryOptions(input: unknown): MemoryProbeSettings {
  if (input === undefined || input === true) return {...DEFAULT_MEMORY_SETTINGS};
  if (input === false) return {...DEFAULT_MEMORY_SETTINGS, perFile: false, perTest: false};
  if (!isPlainObject(input)) {
    throw invalidOption('memory', input, `a boolean or an object with any of ${MEMORY_KEYS.join(', ')}`);
  }
  const record = input;
  rejectUnknownKeys('memory', record, MEMORY_KEYS);
  const settings: MemoryProbeSettings = {...DEFAULT_MEMORY_SETTINGS};
  if (record.perTest !== undefined) settings.perTest = bool('memory.perTest', record.perTest);
  if (record.heapDiff !== undefined) settings.heapDiff = bool('memory.heapDiff', record.heapDiff);
  if (record.snapshotOnLeak !== undefined) settings.snapshotOnLeak = bool('memory.snapshotOnLeak', record.snapshotOnLeak);
  if (record.exactBaseline !== undefined) settings.exactBaseline = bool('memory.exactBaseline', record.exactBaseline);
  for (const key of ['growthThresholdBytes', 'retainedThresholdBytes', 'testGrowthThresholdBytes', 'maxSnapshotHeapBytes', 'startGcTriggerBytes'] as const) {
    if (record[key] !== undefined) settings[key] = bytes(`memory.${key}`, record[key]);
  }
  if (record.topN !== undefined) settings.topN = checkIntegerInRange('memory.topN', record.topN, 1, 1000);
  return settings;
}
