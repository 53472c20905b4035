/**
 * Options (test/e2e/options and test/e2e/options-invalid): per-kind severity warn/off,
 * ignore rules, per-file @jest-environment-options override, and validation errors.
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {checkLeak, checkTestFailure, findTest, findingsAt, describeFinding, leakMarkers, unexpectedFindings, type ExpectedLeak} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const markers = leakMarkers('options');

const REPORTED: ExpectedLeak[] = [
  {id: 'severity.timer-warn', kind: 'timer', scope: 'test', scopePath: ['a timer leak is only a warning'], severity: 'warn'},
  {id: 'severity.server-error', kind: 'server', scope: 'test', scopePath: ['a server leak is still an error']},
  {id: 'ignore.not-ignored', kind: 'file', scope: 'test', scopePath: ['a leak no rule matches is still reported']},
  {id: 'override.server-warn', kind: 'server', scope: 'test', scopePath: ['a server leak is a warning in this file'], severity: 'warn'},
  {id: 'override.file-error', kind: 'file', scope: 'test', scopePath: ['a file leak still fails']},
];

const NOT_REPORTED = ['severity.watcher-off', 'ignore.resource-type', 'ignore.vendor-glob', 'ignore.stack-regex', 'ignore.top-function'];

const PASSING: Array<[string, string]> = [
  ['__tests__/severity.test.js', 'a timer leak is only a warning'],
  ['__tests__/severity.test.js', 'watchers are not looked at'],
  ['__tests__/ignore.test.js', 'a UDP socket is ignored by resource type'],
  ['__tests__/ignore.test.js', 'a server made inside vendor/ is ignored by a stack glob'],
  ['__tests__/ignore.test.js', 'a server made by makePoolConnection is ignored by a stack regex'],
  ['__tests__/ignore.test.js', 'a child process started by startDaemon is ignored by top function'],
  ['__tests__/override.test.js', 'a server leak is a warning in this file'],
];

describe.each([29, 30] as JestMajor[])('options on Jest %i', major => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest('options', {major, label: 'workers', args: ['-w', '2']});
  });

  test('fails the run (errors remain errors) and writes leakwatch.json', () => {
    if (result.exitCode !== 1 || !result.report) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    expect(result.report).toBeDefined();
  });

  test('severity warn: reported as a warning, the test passes; error kinds still fail', () => {
    expect(REPORTED.flatMap(e => checkLeak(result.report!, markers, e))).toEqual([]);
    expect(REPORTED.filter(e => !e.severity).flatMap(e => checkTestFailure(result.report!, markers, e))).toEqual([]);
  });

  test('severity off and ignore rules (resourceType, stack glob, stack regex, topFunction): nothing reported, tests pass', () => {
    const reported = NOT_REPORTED.flatMap(id => findingsAt(result.report!, markers.get(id)!).map(f => `${id}: ${describeFinding(f)}`));
    expect(reported).toEqual([]);
    const notPassed = PASSING.filter(([file, title]) => findTest(result.report!, file, [title])?.status !== 'passed');
    expect(notPassed).toEqual([]);
    expect(unexpectedFindings(result.report!, markers, REPORTED)).toEqual([]);
  });
});

describe.each([29, 30] as JestMajor[])('a run whose only leak is a warning, on Jest %i', major => {
  test('passes (exit 0) and still reports the warning', async () => {
    const result = await runJest('options', {major, label: 'warn-only', args: ['--runInBand', '__tests__/severity.test.js', '-t', 'only a warning']});
    if (result.exitCode !== 0) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 0, signal: null});
    expect(checkLeak(result.report!, markers, REPORTED[0]!)).toEqual([]);
    expect(unexpectedFindings(result.report!, markers, [REPORTED[0]!])).toEqual([]);
  });
});

describe.each([29, 30] as JestMajor[])('invalid options on Jest %i', major => {
  // What was received, what is valid; the list of valid keys grows with features, so only its start is pinned.
  const MESSAGES: Record<string, RegExp> = {
    '__tests__/unknown-key.test.js': /Leakwatch: unknown option "sevrity"\. Valid options are: severity, ignore, settleMs, [^\n]*\./,
    '__tests__/wrong-type.test.js': /Leakwatch: option "settleMs" must be a non-negative number; received "fast"\./,
    '__tests__/bad-regex.test.js': /Leakwatch: option "ignore\[0\]\.stack" is not a valid regular expression: "\/\(unclosed\/"/,
  };

  test('a per-file option error fails that file with a clear message; other files run', async () => {
    const result = await runJest('options-invalid', {major, label: 'docblock', args: ['--runInBand']});
    if (result.exitCode !== 1) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    for (const [file, message] of Object.entries(MESSAGES)) {
      expect(result.stderr).toMatch(message);
      const record = result.report?.files.find(f => f.path === file);
      expect(record).toMatchObject({status: 'error', instrumented: false});
      expect(record?.error).toMatch(message);
    }
    expect(result.stderr).toMatch(/FAIL __tests__\/unknown-key\.test\.js[\s\S]*Test suite failed to run/);
    expect(result.stderr).toMatch(/PASS __tests__\/valid\.test\.js/);
    expect(findTest(result.report!, '__tests__/valid.test.js', ['runs: this file has no invalid options'])?.status).toBe('passed');
  });

  test('a project-level option error fails every file with a clear message', async () => {
    const result = await runJest('options-invalid', {major, label: 'config', args: ['--runInBand', '--config', 'jest.invalid.config.js']});
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    expect(result.stderr).toContain('Leakwatch: option "severity.timer" must be one of "error", "warn", "off"; received "loud".');
    expect(result.stderr).not.toMatch(/^PASS /m);
    expect(result.stderr).not.toMatch(/This is a bug in Leakwatch/);
  });
});
