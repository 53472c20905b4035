import type {FileSidecar, SidecarReadResult} from '@leakwatch/core';
import {buildFileRecord, relativePath, summarize, type JestFileResultLike} from '../buildReport';
import {file, finding, sampleReport, test} from './fixtures';

function jestResult(overrides: Partial<JestFileResultLike> = {}): JestFileResultLike {
  return {
    testFilePath: '/repo/src/a.test.ts',
    numFailingTests: 0,
    perfStats: {start: 1000, end: 1250},
    testResults: [
      {ancestorTitles: ['A'], title: 'one', fullName: 'A one', status: 'passed', duration: 5, failureMessages: []},
      {ancestorTitles: ['A'], title: 'one', fullName: 'A one', status: 'passed', duration: 6, failureMessages: []},
      {ancestorTitles: [], title: 'skipped', fullName: 'skipped', status: 'pending', duration: null, failureMessages: []},
      {ancestorTitles: [], title: 'later', fullName: 'later', status: 'todo', failureMessages: []},
    ],
    ...overrides,
  };
}

function sidecar(overrides: Partial<FileSidecar> = {}): SidecarReadResult {
  return {
    ok: true,
    sidecar: {
      sidecarVersion: 1,
      testPath: '/repo/src/a.test.ts',
      projectId: 'p',
      rootDir: '/repo',
      options: {},
      findings: [],
      tests: [],
      warnings: [],
      node: {version: 'v20.20.2'},
      ...overrides,
    },
  };
}

describe('buildFileRecord', () => {
  it('matches sidecar tests to Jest tests by title path, in order for duplicates', () => {
    const first = finding({id: 'first'});
    const second = finding({id: 'second', kind: 'socket'});
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult(),
      sidecar: sidecar({
        tests: [
          {titlePath: ['A', 'one'], findings: [first], memoryDeltaBytes: 10},
          {titlePath: ['A', 'one'], findings: [second]},
        ],
        findings: [finding({id: 'file', scope: 'file', scopePath: []})],
      }),
    });
    expect(record.path).toBe('src/a.test.ts');
    expect(record.instrumented).toBe(true);
    expect(record.leakStatus).toBe('leaks');
    expect(record.durationMs).toBe(250);
    expect(record.tests.map(t => t.findings.map(f => f.id))).toEqual([['first'], ['second'], [], []]);
    expect(record.tests[0]?.memoryDeltaBytes).toBe(10);
    expect(record.tests.map(t => t.status)).toEqual(['passed', 'passed', 'skipped', 'todo']);
    expect(record.findings.map(f => f.id)).toEqual(['file']);
  });

  it('is clean when instrumented without error/warn findings (info does not count)', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult(),
      sidecar: sidecar({tests: [{titlePath: ['A', 'one'], findings: [finding({severity: 'info'})]}]}),
    });
    expect(record.leakStatus).toBe('clean');
  });

  it('keeps a file without sidecar as instrumented:false, leakStatus unknown, with its status', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult({numFailingTests: 1, testResults: [{ancestorTitles: [], title: 'x', fullName: 'x', status: 'failed', failureMessages: ['\u001b[31mboom\u001b[39m']}]}),
      sidecar: {ok: false, reason: 'missing', message: 'no sidecar'},
    });
    expect(record).toMatchObject({instrumented: false, leakStatus: 'unknown', status: 'failed'});
    expect(record.tests[0]?.failureMessages).toEqual(['boom']);
    expect(record.warnings[0]).toMatch(/no Leakwatch data/);
  });

  it('is unknown, not clean, when the environment says it could not watch the file', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult(),
      sidecar: sidecar({instrumented: false, warnings: ['could not start resource tracking: boom']}),
    });
    expect(record).toMatchObject({instrumented: false, leakStatus: 'unknown', warnings: ['could not start resource tracking: boom']});
  });

  it('records why a corrupt sidecar was ignored', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult(),
      sidecar: {ok: false, reason: 'unreadable', message: 'sidecar x is not valid JSON'},
    });
    expect(record).toMatchObject({instrumented: false, leakStatus: 'unknown', warnings: ['sidecar x is not valid JSON']});
  });

  it('marks a file that failed to run as error with Jest\'s formatted message', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult({
        testResults: [],
        testExecError: {message: 'Cannot find module', stack: 'Error: Cannot find module\n at x'},
        failureMessage: '\u001b[1m● Test suite failed to run\u001b[22m\n\n    Cannot find module',
      }),
      sidecar: {ok: false, reason: 'missing', message: 'no sidecar'},
    });
    expect(record.status).toBe('error');
    expect(record.error).toBe('● Test suite failed to run\n\n    Cannot find module');
    expect(record.tests).toEqual([]);
  });

  it('never mutates Jest\'s result', () => {
    const result = jestResult();
    const before = JSON.stringify(result);
    const record = buildFileRecord({rootDir: '/repo', result, sidecar: sidecar()});
    record.tests[0]?.titlePath.push('mutated');
    record.tests[0]?.failureMessages.push('mutated');
    expect(JSON.stringify(result)).toBe(before);
  });

  it('lists findings of tests Jest did not report at file level, with a warning', () => {
    const record = buildFileRecord({
      rootDir: '/repo',
      result: jestResult(),
      sidecar: sidecar({tests: [{titlePath: ['ghost'], findings: [finding({id: 'ghost'})]}]}),
    });
    expect(record.findings.map(f => f.id)).toEqual(['ghost']);
    expect(record.warnings).toEqual([expect.stringContaining('["ghost"]')]);
  });
});

describe('relativePath', () => {
  it('is rootDir-relative with / separators, absolute outside rootDir', () => {
    expect(relativePath('/repo', '/repo/a/b.test.ts')).toBe('a/b.test.ts');
    expect(relativePath('/repo', '/elsewhere/b.test.ts')).toBe('/elsewhere/b.test.ts');
  });
});

describe('summarize and buildRunReport', () => {
  it('counts tests, findings by kind in schema order, and files with leaks', () => {
    const summary = summarize([
      file({leakStatus: 'leaks', tests: [test({findings: [finding({kind: 'socket'}), finding()]}), test({status: 'todo'})], findings: [finding({kind: 'global', severity: 'warn'})]}),
      file({path: 'b', tests: [test({status: 'failed'}), test({status: 'skipped'})]}),
    ]);
    expect(summary).toEqual({
      files: 2,
      tests: 4,
      passed: 1,
      failed: 1,
      skipped: 2,
      findings: 3,
      byKind: {timer: 1, socket: 1, global: 1},
      bySeverity: {error: 2, warn: 1, info: 0},
      filesWithLeaks: 1,
    });
    expect(Object.keys(summary.byKind)).toEqual(['timer', 'socket', 'global']);
  });

  it('sorts files by path and computes the run status itself', () => {
    const report = sampleReport();
    expect(report.files.map(f => f.path)).toEqual(['src/broken.test.ts', 'src/hostile.test.ts', 'src/other-env.test.ts', 'src/poller.test.ts']);
    expect(report.status).toBe('failed');
    expect(report.startedAt).toBe('2026-11-27T12:00:00.000Z');
  });
});
