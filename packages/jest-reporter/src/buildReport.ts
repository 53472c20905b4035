import * as path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {
  FINDING_KINDS,
  SCHEMA_VERSION,
  type FileRecord,
  type FileStatus,
  type Finding,
  type FindingKind,
  type RunReport,
  type SidecarReadResult,
  type SidecarTest,
  type Summary,
  type TestRecord,
  type TestStatus,
} from '@leakwatch/core';

/** The part of Jest's AssertionResult the reporter reads (Jest 29 and 30). */
export interface JestAssertionLike {
  ancestorTitles: readonly string[];
  title: string;
  fullName: string;
  status: string;
  duration?: number | null;
  invocations?: number;
  failureMessages: readonly string[];
  location?: {line: number; column: number} | null;
}

/** The part of Jest's TestResult the reporter reads (Jest 29 and 30). */
export interface JestFileResultLike {
  testFilePath: string;
  testResults: readonly JestAssertionLike[];
  testExecError?: {message?: string; stack?: string | null} | null;
  failureMessage?: string | null;
  numFailingTests: number;
  perfStats: {start: number; end: number; runtime?: number};
}

/** Plain code-unit order, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Path relative to rootDir with `/` separators; absolute (still `/`) when outside rootDir. */
export function relativePath(rootDir: string, file: string): string {
  const rel = path.relative(rootDir, file);
  const chosen = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  return chosen.split(path.sep).join('/');
}

function testStatus(status: string): TestStatus {
  switch (status) {
    case 'passed':
    case 'focused':
      return 'passed';
    case 'failed':
      return 'failed';
    case 'todo':
      return 'todo';
    default:
      // 'skipped', 'pending', 'disabled'
      return 'skipped';
  }
}

function finiteOrZero(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function execErrorText(result: JestFileResultLike): string {
  const formatted = result.failureMessage ? stripVTControlCharacters(result.failureMessage).trim() : '';
  if (formatted !== '') return formatted;
  const error = result.testExecError;
  const text = error ? (error.stack ?? error.message ?? '') : '';
  return text !== '' ? stripVTControlCharacters(text) : 'Test file failed to run (no message from Jest)';
}

function isLeak(finding: Finding): boolean {
  return finding.severity === 'error' || finding.severity === 'warn';
}

export interface FileRecordInput {
  rootDir: string;
  result: JestFileResultLike;
  /** What reading the sidecar gave, or `undefined` when the channel was not set up. */
  sidecar: SidecarReadResult | undefined;
}

/** Merges Jest's result for one file with the environment's sidecar. Reads, never mutates, its inputs. */
export function buildFileRecord({rootDir, result, sidecar}: FileRecordInput): FileRecord {
  const warnings: string[] = [];
  const queues = new Map<string, SidecarTest[]>();
  const fileFindings: Finding[] = [];
  let instrumented = false;
  let memory: FileRecord['memory'];
  if (sidecar?.ok) {
    // A sidecar from an environment that could not start tracking proves nothing: unknown.
    instrumented = sidecar.sidecar.instrumented !== false;
    for (const test of sidecar.sidecar.tests) {
      const key = JSON.stringify(test.titlePath);
      const queue = queues.get(key);
      if (queue) queue.push(test);
      else queues.set(key, [test]);
    }
    fileFindings.push(...sidecar.sidecar.findings);
    warnings.push(...sidecar.sidecar.warnings);
    if (sidecar.sidecar.memory) memory = sidecar.sidecar.memory;
  } else if (sidecar && sidecar.reason === 'unreadable') {
    warnings.push(sidecar.message);
  } else if (sidecar) {
    warnings.push('no Leakwatch data for this file (another test environment, or the file did not finish)');
  }

  const tests: TestRecord[] = result.testResults.map(assertion => {
    const titlePath = [...assertion.ancestorTitles, assertion.title];
    const match = queues.get(JSON.stringify(titlePath))?.shift();
    const record: TestRecord = {
      titlePath,
      fullName: assertion.fullName,
      status: testStatus(assertion.status),
      durationMs: finiteOrZero(assertion.duration),
      retries: Math.max(0, (assertion.invocations ?? 1) - 1),
      findings: match ? [...match.findings] : [],
      failureMessages: assertion.failureMessages.map(message => stripVTControlCharacters(message)),
    };
    if (match?.memoryDeltaBytes !== undefined) record.memoryDeltaBytes = match.memoryDeltaBytes;
    if (assertion.location) record.location = {line: assertion.location.line, column: assertion.location.column};
    return record;
  });
  for (const [key, leftovers] of queues) {
    for (const test of leftovers) {
      if (test.findings.length === 0) continue;
      warnings.push(`Leakwatch saw findings for test ${key} that Jest did not report; they are listed at file level`);
      fileFindings.push(...test.findings);
    }
  }

  const failedToRun = Boolean(result.testExecError);
  const status: FileStatus = failedToRun
    ? 'error'
    : result.numFailingTests > 0 || tests.some(test => test.status === 'failed')
      ? 'failed'
      : 'passed';
  const hasLeaks = fileFindings.some(isLeak) || tests.some(test => test.findings.some(isLeak));
  const record: FileRecord = {
    path: relativePath(rootDir, result.testFilePath),
    status,
    durationMs: finiteOrZero(result.perfStats.end - result.perfStats.start),
    findings: fileFindings,
    tests,
    instrumented,
    leakStatus: instrumented ? (hasLeaks ? 'leaks' : 'clean') : 'unknown',
    warnings,
  };
  if (failedToRun) record.error = execErrorText(result);
  if (memory) record.memory = memory;
  return record;
}

/** Every finding of a file: file/describe scope first, then per test in order. */
export function fileFindings(file: FileRecord): Finding[] {
  return [...file.findings, ...file.tests.flatMap(test => test.findings)];
}

export function summarize(files: readonly FileRecord[]): Summary {
  const summary: Summary = {
    files: files.length,
    tests: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    findings: 0,
    byKind: {},
    bySeverity: {error: 0, warn: 0, info: 0},
    filesWithLeaks: 0,
  };
  const byKind = new Map<FindingKind, number>();
  for (const file of files) {
    for (const test of file.tests) {
      summary.tests++;
      if (test.status === 'passed') summary.passed++;
      else if (test.status === 'failed') summary.failed++;
      else summary.skipped++;
    }
    for (const finding of fileFindings(file)) {
      summary.findings++;
      summary.bySeverity[finding.severity]++;
      byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);
    }
    if (file.leakStatus === 'leaks') summary.filesWithLeaks++;
  }
  // Schema order of kinds, so the JSON is the same whatever order findings came in.
  for (const kind of FINDING_KINDS) {
    const count = byKind.get(kind);
    if (count !== undefined) summary.byKind[kind] = count;
  }
  return summary;
}

export interface RunReportInput {
  rootDir: string;
  startedAt: Date;
  durationMs: number;
  toolVersion: string;
  jestVersion: string;
  nodeVersion: string;
  options: Record<string, unknown>;
  files: readonly FileRecord[];
  warnings: readonly string[];
  mainProcess?: {findings: Finding[]};
}

export function buildRunReport(input: RunReportInput): RunReport {
  const files = [...input.files].sort((a, b) => compareStrings(a.path, b.path));
  const summary = summarize(files);
  const failed =
    files.some(file => file.status !== 'passed') ||
    summary.bySeverity.error > 0 ||
    (input.mainProcess?.findings.some(finding => finding.severity === 'error') ?? false);
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: '@leakwatch/jest-reporter', version: input.toolVersion},
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.max(0, Math.round(input.durationMs)),
    rootDir: input.rootDir,
    jest: {version: input.jestVersion},
    node: {version: input.nodeVersion},
    options: input.options,
    summary,
    files,
    status: failed ? 'failed' : 'passed',
  };
  if (input.mainProcess) report.mainProcess = input.mainProcess;
  if (input.warnings.length > 0) report.warnings = [...input.warnings];
  return report;
}
