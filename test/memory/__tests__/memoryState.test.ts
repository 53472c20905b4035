/**
 * Memory, state and GC-without-close findings end to end (test/memory/memory-state): real
 * retention vs large temporary allocation per file and per test, a heap diff naming the
 * leaking constructor, every state kind and its restore-correctly look-alike, watchState,
 * trackResource and the expectNoLeak API.
 */
import type {FileRecord, Finding, RunReport} from '@leakwatch/core';
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {leakMarkers} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const SCENARIO = '../memory/memory-state';
const MiB = 1024 * 1024;

const RUNS: Array<[JestMajor, 'in-band' | 'workers']> = [
  [30, 'workers'],
  [29, 'in-band'],
];

function file(report: RunReport, name: string): FileRecord {
  const record = report.files.find(f => f.path === `__tests__/${name}`);
  if (!record) throw new Error(`no ${name} in report: ${report.files.map(f => f.path).join(', ')}`);
  return record;
}

function testFindings(record: FileRecord, title: string): Finding[] {
  const test = record.tests.find(t => t.titlePath.join(' › ') === title);
  if (!test) throw new Error(`no test "${title}" in ${record.path}: ${record.tests.map(t => t.fullName).join(', ')}`);
  return test.findings;
}

const brief = (f: Finding) => `${f.kind} ${f.scope} ${f.resourceType}: ${f.message}`;

describe.each(RUNS)('memory and state on Jest %i (%s)', (major, mode) => {
  let result: RunJestResult;
  let report: RunReport;

  beforeAll(async () => {
    result = await runJest(SCENARIO, {major, label: mode, args: mode === 'in-band' ? ['--runInBand'] : ['-w', '2']});
    if (!result.report) console.log(describeRun(result));
    report = result.report!;
  });

  test('the run passes: memory and state findings are warnings', () => {
    if (result.exitCode !== 0) console.log(describeRun(result));
    expect(result.exitCode).toBe(0);
    expect(report.files.flatMap(f => f.tests.filter(t => t.status !== 'passed').map(t => t.fullName))).toEqual([]);
    expect(report.files.filter(f => f.warnings.length > 0).map(f => `${f.path}: ${f.warnings.join('; ')}`)).toEqual([]);
  });

  test('a file that keeps ~48 MiB is flagged; one that allocates 64 MiB and releases it is not', () => {
    const retains = file(report, 'memory-retains.test.js');
    // A lower bound when the file started without a full GC (garbage at start lowers it).
    expect(retains.memory!.growthBytes).toBeGreaterThanOrEqual(12 * MiB);
    expect(retains.findings.filter(f => f.kind === 'memory').map(f => [f.resourceType, f.severity, f.scope])).toContainEqual(['heap', 'warn', 'file']);
    const releases = file(report, 'memory-releases.test.js');
    expect(releases.memory!.growthBytes).toBeLessThan(8 * MiB);
    expect([...releases.findings, ...releases.tests.flatMap(t => t.findings)].map(brief)).toEqual([]);
  });

  test('per test: the retaining test is flagged with its delta, the temporary one is not', () => {
    const perTest = file(report, 'memory-per-test.test.js');
    const retain = perTest.tests.find(t => t.fullName === 'retains 16 MiB')!;
    const temp = perTest.tests.find(t => t.fullName === 'allocates 32 MiB temporarily')!;
    // The baseline comes from one full GC, which can leave a few MiB for the next cycle.
    expect(retain.memoryDeltaBytes).toBeGreaterThan(12 * MiB);
    expect(retain.findings.map(f => [f.kind, f.scope])).toEqual([['memory', 'test']]);
    expect(temp.memoryDeltaBytes).toBeLessThan(4 * MiB);
    expect(temp.findings).toEqual([]);
  });

  test('heap diff names the leaking constructor', () => {
    const heap = file(report, 'memory-heapdiff.test.js');
    const top = heap.memory!.topGrowth ?? [];
    expect({top, warnings: heap.warnings}).toMatchObject({top: expect.arrayContaining([expect.objectContaining({constructor: 'LeakyConnection', count: 100000})])});
    expect(heap.findings.find(f => f.kind === 'memory')!.message).toMatch(/largest growth: /);
  });

  test('each state pollution is reported against the test that caused it', () => {
    const polluted = file(report, 'state-pollution.test.js');
    const expectations: Array<[string, string, RegExp]> = [
      ['adds a global', 'global', /Global "leakedGlobal" was added by this test/],
      ['overwrites a global', 'global', /Global "structuredClone" was overwritten .*fakeClone/],
      ['overwrites a built-in', 'global', /Global "escape" was overwritten .*fakeEscape/],
      ['defines a non-enumerable global', 'global', /Global "hiddenGlobal" was added/],
      ['deletes a global', 'global', /Global "btoa" was deleted/],
      ['sets an env var', 'env', /LEAKY_FLAG was added in process\.env by this test .*"on"/],
      ['changes a secret env var', 'env', /DB_PASSWORD was added in process\.env .*\[redacted\]/],
      ['changes the cwd', 'cwd', /process\.cwd\(\) changed by this test/],
      ['adds a process listener', 'process-listener', /1 "SIGUSR2" listener \(onUsr2\) added to process by this test/],
    ];
    for (const [title, kind, message] of expectations) {
      const findings = testFindings(polluted, title);
      expect([title, findings.map(f => f.kind)]).toEqual([title, [kind]]);
      expect(findings[0]!.message).toMatch(message);
      expect(findings[0]!.severity).toBe('warn');
    }
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(polluted.findings.map(brief)).toEqual([]);
  });

  test('state that is restored, and Jest’s own global changes, are not reported', () => {
    const restored = file(report, 'state-restored.test.js');
    expect([...restored.findings, ...restored.tests.flatMap(t => t.findings)].map(brief)).toEqual([]);
  });

  test('watchState reports the changed path against the test that changed it', () => {
    const watched = file(report, 'watch-state.test.js');
    const findings = testFindings(watched, 'registers a plugin and never unregisters it');
    expect(findings.map(f => f.kind)).toEqual(['state']);
    expect(findings[0]!.message).toContain('"plugin registry"');
    expect(findings[0]!.details.changes).toContainEqual({path: '$.plugins[1]', after: '"telemetry"'});
    expect(testFindings(watched, 'changes a setting and restores it')).toEqual([]);
  });

  test('trackResource: a connection collected without close() is reported where it was opened', () => {
    const marker = leakMarkers(SCENARIO).get('unclosed-gc.conn')!;
    const tracked = file(report, 'track-resource.test.js');
    const findings = testFindings(tracked, 'forgets a connection without closing it');
    expect(findings.map(f => [f.kind, f.resourceType, f.scope])).toEqual([['unclosed-gc', 'PoolConn', 'test']]);
    expect(findings[0]!.location).toMatchObject({file: marker.file, line: marker.line});
    expect(findings[0]!.message).toContain('"db-1"');
    expect(testFindings(tracked, 'closes its connection')).toEqual([]);
  });

  test("a FileHandle Node closes on GC is reported against the test that opened it", () => {
    const marker = leakMarkers(SCENARIO).get('unclosed-gc.filehandle')!;
    const findings = testFindings(file(report, 'filehandle-gc.test.js'), 'drops a FileHandle without closing it');
    const gcd = findings.filter(f => f.kind === 'unclosed-gc');
    expect(gcd.map(f => [f.resourceType, f.scope, f.location?.file, f.location?.line])).toEqual([['FileHandle', 'test', marker.file, marker.line]]);
    expect(gcd[0]!.message).toMatch(/^FileHandle \(fd \d+\) created at .* was garbage-collected without being closed$/);
  });

  test('expectNoLeak and the toLeakMemory matcher work inside a Leakwatch run', () => {
    const assertions = file(report, 'expect-no-leak.test.js');
    expect(assertions.tests.map(t => [t.fullName, t.status])).toEqual([
      ['clean code passes expect(fn).not.toLeakMemory()', 'passed'],
      ['a leak of ~40 B per call is detected', 'passed'],
    ]);
  });
});
