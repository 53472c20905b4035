/**
 * The run-report data model (leakwatch.json, `schemaVersion: 1`) and the per-file
 * sidecar the environment hands to the reporter. Plain, JSON-safe data only:
 * everything here crosses a worker boundary or lands on disk.
 */

export const SCHEMA_VERSION = 1 as const;
export const SIDECAR_VERSION = 1 as const;

/** Every kind a finding can have; stable, part of the JSON schema. */
export const FINDING_KINDS = [
  'timer',
  'server',
  'socket',
  'file',
  'watcher',
  'child-process',
  'worker',
  'global',
  'env',
  'cwd',
  'process-listener',
  'memory',
  'state',
  'unclosed-gc',
  'other',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Kinds that describe an open handle (as opposed to state or memory). */
export const HANDLE_KINDS = [
  'timer',
  'server',
  'socket',
  'file',
  'watcher',
  'child-process',
  'worker',
  'other',
] as const satisfies readonly FindingKind[];
export type HandleKind = (typeof HANDLE_KINDS)[number];

export const SEVERITIES = ['error', 'warn', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SCOPES = ['test', 'describe', 'file'] as const;
export type Scope = (typeof SCOPES)[number];

export interface SourceLocation {
  /** Path relative to rootDir with `/` separators (absolute if outside rootDir). */
  file: string;
  line: number;
  column: number;
}

export interface Finding {
  /** Stable within a report: derived from file, scope, kind and location. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  scope: Scope;
  /** Titles from the file's root to the owning describe block or test; `[]` for file scope. */
  scopePath: string[];
  /** async_hooks type or instrumentation source, e.g. `Timeout`, `TCPSERVERWRAP`, `fs.openSync`. */
  resourceType: string;
  message: string;
  /** First user frame of the creation stack. */
  location?: SourceLocation;
  /** Creation stack frames, `at …` lines without the leading `at `, paths relative to rootDir. */
  stack: string[];
  details: Record<string, unknown>;
}

export interface MemorySample {
  label: string;
  heapUsedBytes: number;
}

export interface HeapGrowthEntry {
  /** Constructor name or `(string)`, `(array)`, … as V8 names heap node groups. */
  constructor: string;
  count: number;
  bytes: number;
}

export interface MemoryRecord {
  heapBeforeBytes: number;
  heapAfterBytes: number;
  growthBytes: number;
  retainedAfterTeardownBytes?: number;
  samples?: MemorySample[];
  topGrowth?: HeapGrowthEntry[];
}

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo';

export interface TestRecord {
  titlePath: string[];
  fullName: string;
  status: TestStatus;
  durationMs: number;
  retries: number;
  memoryDeltaBytes?: number;
  findings: Finding[];
  failureMessages: string[];
  /** Where the test is declared, when Jest reports it (`testLocationInResults`). */
  location?: { line: number; column: number };
}

export type FileStatus = 'passed' | 'failed' | 'error';
/** `unknown` when the file was not instrumented or its sidecar is missing or unreadable. */
export type LeakStatus = 'clean' | 'leaks' | 'unknown';

export interface FileRecord {
  /** Relative to rootDir, `/` separators. */
  path: string;
  status: FileStatus;
  durationMs: number;
  /** Why the file failed to run (Jest's testExecError), when it did. */
  error?: string;
  memory?: MemoryRecord;
  /** describe- and file-scoped findings. */
  findings: Finding[];
  tests: TestRecord[];
  instrumented: boolean;
  leakStatus: LeakStatus;
  /** Non-fatal problems Leakwatch met while watching this file. */
  warnings: string[];
}

export interface Summary {
  files: number;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  findings: number;
  byKind: Partial<Record<FindingKind, number>>;
  bySeverity: Record<Severity, number>;
  filesWithLeaks: number;
}

export interface RunReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** Absolute path of Jest's rootDir. */
  rootDir: string;
  jest: { version: string };
  node: { version: string };
  /** Effective options (project-level; per-file overrides are in each file's sidecar). */
  options: Record<string, unknown>;
  summary: Summary;
  files: FileRecord[];
  mainProcess?: { findings: Finding[] };
  /** Problems the reporter itself met (unreadable sidecars, failed writes, …). */
  warnings?: string[];
  /**
   * Run verdict computed by the reporter: `failed` when a file failed or errored or a finding
   * has severity `error` (Jest's own `success` flag is not final when reporters run).
   */
  status?: 'passed' | 'failed';
}

/** Findings for one test, as recorded by the environment (all attempts merged). */
export interface SidecarTest {
  titlePath: string[];
  findings: Finding[];
  memoryDeltaBytes?: number;
}

/** What the environment writes once per test file for the reporter. */
export interface FileSidecar {
  sidecarVersion: typeof SIDECAR_VERSION;
  /** Absolute test path, as Jest knows it. */
  testPath: string;
  projectId: string;
  rootDir: string;
  /** Effective, validated options for this file (after docblock overrides). */
  options: Record<string, unknown>;
  /** describe- and file-scoped findings. */
  findings: Finding[];
  tests: SidecarTest[];
  memory?: MemoryRecord;
  warnings: string[];
  node: { version: string };
  /**
   * `false` when the environment could not watch this file (instrumentation failed to start
   * or was switched off): the reporter then reports its leak status as `unknown`, never
   * `clean`. Absent means watched.
   */
  instrumented?: boolean;
}
