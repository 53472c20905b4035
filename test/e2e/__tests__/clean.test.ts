/**
 * Clean look-alikes (test/e2e/clean): closed servers, cleared/unref'd/fake timers, consumed
 * streams, destroyed keep-alive agents, fetch, balanced hooks. Leakwatch must report nothing.
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {EXIT_PROBLEMS, allFindings, describeFinding} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const RUNS: Array<[JestMajor, 'in-band' | 'workers']> = [
  [29, 'in-band'],
  [29, 'workers'],
  [30, 'in-band'],
  [30, 'workers'],
];

const FILES = ['__tests__/files.test.js', '__tests__/hooks.test.js', '__tests__/processes.test.js', '__tests__/servers.test.js', '__tests__/timers.test.js'];

describe.each(RUNS)('clean look-alikes on Jest %i (%s)', (major, mode) => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest('clean', {major, label: mode, args: mode === 'in-band' ? ['--runInBand'] : ['-w', '2']});
  });

  test('the run passes and exits on its own', () => {
    if (result.exitCode !== 0) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 0, signal: null});
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(EXIT_PROBLEMS);
    expect(result.stderr).not.toMatch(/leaked/i);
  });

  test('leakwatch.json has every file, instrumented, with zero findings', () => {
    const report = result.report!;
    expect(report).toBeDefined();
    expect(report.files.map(f => f.path).sort()).toEqual(FILES);
    expect(allFindings(report).map(describeFinding)).toEqual([]);
    expect(report.files.filter(f => !f.instrumented || f.status !== 'passed').map(f => `${f.path}: ${f.status}, instrumented ${f.instrumented}`)).toEqual([]);
    // Zero findings mean something only if Leakwatch was watching: no file may carry a warning.
    expect(report.files.filter(f => f.warnings.length > 0 || f.leakStatus !== 'clean').map(f => `${f.path}: ${f.leakStatus} ${JSON.stringify(f.warnings)}`)).toEqual([]);
    expect(report.summary).toMatchObject({files: FILES.length, failed: 0, findings: 0, filesWithLeaks: 0});
    const notPassed = report.files.flatMap(f => f.tests.filter(t => t.status !== 'passed').map(t => `${f.path} ${t.fullName}: ${t.status}`));
    expect(notPassed).toEqual([]);
  });
});
