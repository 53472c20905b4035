import type {FileRecord, Finding, RunReport, TestRecord} from '@leakwatch/core';
import {buildRunReport} from '../buildReport';

/** Strings that have broken other reporters (reporter-anchors §3.3, §5). */
export const HOSTILE = {
  script: '</script><img src=x onerror=alert(1)>',
  textarea: '</textarea><img src=x onerror="window.__pwned=1">',
  cdataEnd: 'ends with ]]> inside',
  control: 'NUL[\u0000] BEL[\u0007] BS[\u0008] VT[\u000b] FF[\u000c] ESC[\u001b[31mred\u001b[39m] half[\u001b[3] FFFE[\ufffe] lone[\ud800]',
  dollar: 'replacement $& and $1 and $` and ${x}',
  nonBmp: 'emoji 🚀 and 𝕏 and ü and RTL שלום',
  newline: 'line1\nline2\r\nline3\ttab',
} as const;

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'f1',
    kind: 'timer',
    severity: 'error',
    scope: 'test',
    scopePath: ['Poller', 'starts polling'],
    resourceType: 'Timeout',
    message: 'setInterval(1000ms) still pending',
    location: {file: 'src/poller.ts', line: 42, column: 18},
    stack: ['Poller.start (src/poller.ts:42:18)', 'Object.<anonymous> (src/poller.test.ts:7:12)', 'node_modules/jest-circus/build/run.js:1:1'],
    details: {delayMs: 1000, refed: true},
    ...overrides,
  };
}

export function test(overrides: Partial<TestRecord> = {}): TestRecord {
  const titlePath = overrides.titlePath ?? ['Poller', 'starts polling'];
  return {
    titlePath,
    fullName: titlePath.join(' '),
    status: 'passed',
    durationMs: 12,
    retries: 0,
    findings: [],
    failureMessages: [],
    ...overrides,
  };
}

export function file(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    path: 'src/poller.test.ts',
    status: 'passed',
    durationMs: 412,
    findings: [],
    tests: [],
    instrumented: true,
    leakStatus: 'clean',
    warnings: [],
    ...overrides,
  };
}

export function report(files: FileRecord[], extra: Partial<Parameters<typeof buildRunReport>[0]> = {}): RunReport {
  return buildRunReport({
    rootDir: '/repo',
    startedAt: new Date(Date.UTC(2026, 10, 27, 12, 0, 0)),
    durationMs: 1482,
    toolVersion: '0.1.0',
    jestVersion: '30.5.2',
    nodeVersion: 'v20.20.2',
    options: {reporter: {title: 'Leakwatch report'}},
    files,
    warnings: [],
    ...extra,
  });
}

/** A run with a leak, a failure, skipped/todo tests, a file that failed to run, an uninstrumented file and hostile names. */
export function sampleReport(): RunReport {
  const leaking = test({
    titlePath: ['Poller', 'starts polling'],
    status: 'failed',
    failureMessages: ['Error: Leakwatch: timer leaked\n    at Poller.start (src/poller.ts:42:18)'],
    findings: [finding()],
  });
  const failing = test({
    titlePath: ['Poller', 'retries on error'],
    status: 'failed',
    durationMs: 30,
    failureMessages: ['Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 2\n    at Object.toBe (src/poller.test.ts:15:22)'],
    memoryDeltaBytes: 5_242_880,
  });
  const hostileTests = Object.values(HOSTILE).map((title, index) =>
    test({
      titlePath: ['hostile ' + HOSTILE.script, title],
      status: index % 2 === 0 ? 'failed' : 'passed',
      failureMessages: index % 2 === 0 ? [`Error: ${title}\n${HOSTILE.cdataEnd}\n${HOSTILE.control}`] : [],
      findings:
        index === 0
          ? [finding({id: 'h1', kind: 'socket', resourceType: 'TCPWRAP', message: HOSTILE.script, scopePath: ['hostile ' + HOSTILE.script, title], location: {file: 'src/x ]]> <b>.ts', line: 3, column: 1}})]
          : [],
    }),
  );
  return report([
    file({
      path: 'src/poller.test.ts',
      status: 'failed',
      leakStatus: 'leaks',
      memory: {heapBeforeBytes: 10_000_000, heapAfterBytes: 15_000_000, growthBytes: 5_000_000, samples: [{label: 'start', heapUsedBytes: 10_000_000}, {label: 'end', heapUsedBytes: 15_000_000}], topGrowth: [{constructor: 'Map', count: 3, bytes: 4_000_000}]},
      tests: [
        leaking,
        failing,
        test({titlePath: ['Poller', 'is skipped'], status: 'skipped', durationMs: 0}),
        test({titlePath: ['Poller', 'is todo'], status: 'todo', durationMs: 0}),
      ],
      findings: [
        finding({id: 'g1', kind: 'global', scope: 'file', scopePath: [], resourceType: 'global', message: 'globalThis.__APP_CACHE__ added', location: {file: 'src/cache.ts', line: 5, column: 1}}),
        finding({id: 'w1', kind: 'timer', severity: 'warn', scope: 'describe', scopePath: ['Poller'], message: 'warn-level timer'}),
      ],
    }),
    file({path: 'src/broken.test.ts', status: 'error', error: "Cannot find module './does-not-exist' from 'src/broken.test.ts'", tests: [], instrumented: false, leakStatus: 'unknown', durationMs: 0}),
    file({path: 'src/hostile.test.ts', status: 'failed', leakStatus: 'leaks', tests: hostileTests}),
    file({path: 'src/other-env.test.ts', status: 'passed', instrumented: false, leakStatus: 'unknown', tests: [test({titlePath: ['works']})]}),
  ]);
}
