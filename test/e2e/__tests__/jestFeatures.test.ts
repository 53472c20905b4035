/**
 * TypeScript through ts-jest, jest.retryTimes and test.concurrent (test/e2e/jest-features).
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {
  checkLeak,
  checkTestFailure,
  describeFinding,
  findTest,
  findingsAt,
  hasCodeFrame,
  leakMarkers,
  unexpectedFindings,
  type ExpectedLeak,
} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const SCENARIO = 'jest-features';
const markers = leakMarkers(SCENARIO);

const TS_LEAK: ExpectedLeak = {id: 'ts.interval', kind: 'timer', scope: 'test', scopePath: ['typed service', 'leaks a typed interval']};
const RETRY_FIRST = ['leaks only on its first attempt'];
const RETRY_EVERY = ['leaks on every attempt'];

/** The stack lines Jest printed under the failure of the test titled `title` (top level). */
function failureStack(stderr: string, title: string): string[] {
  const start = stderr.indexOf(`● ${title}\n`);
  if (start < 0) return [];
  const next = stderr.indexOf('●', start + 1);
  return stderr
    .slice(start, next < 0 ? undefined : next)
    .split('\n')
    .filter(line => /^\s+at /.test(line))
    .map(line => line.trim());
}

/**
 * test.concurrent: Jest 30 attributes to the concurrent test; on Jest 29 circus starts
 * concurrent tests before any test_start, so the environment falls back to file scope.
 */
function concurrentLeak(major: JestMajor): ExpectedLeak {
  return major === 30
    ? {id: 'concurrent.leaks', kind: 'timer', scope: 'test', scopePath: ['concurrent test that leaks']}
    : {id: 'concurrent.leaks', kind: 'timer', scope: 'file', scopePath: []};
}

describe.each([29, 30] as JestMajor[])('jest features on Jest %i (workers)', major => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest(SCENARIO, {major, label: 'workers', args: ['-w', '2']});
  });

  test('fails the run and writes leakwatch.json', () => {
    if (result.exitCode !== 1 || !result.report) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    expect(result.report!.files.map(f => f.path).sort()).toEqual([
      '__tests__/assertion.test.js',
      '__tests__/concurrent.test.js',
      '__tests__/retry.test.js',
      '__tests__/typescript.test.ts',
    ]);
  });

  test('TypeScript: the leak points at the line in the .ts source', () => {
    expect([...checkLeak(result.report!, markers, TS_LEAK), ...checkTestFailure(result.report!, markers, TS_LEAK)]).toEqual([]);
    expect(hasCodeFrame(result.stderr, markers.get(TS_LEAK.id)!)).toBe(true);
    expect(findTest(result.report!, '__tests__/typescript.test.ts', ['typed service', 'stops what it starts'])).toMatchObject({
      status: 'passed',
      findings: [],
    });
  });

  test('retryTimes: a leak fails the attempt; a test that stops leaking passes on retry', () => {
    const file = '__tests__/retry.test.js';
    const first = findTest(result.report!, file, RETRY_FIRST);
    const every = findTest(result.report!, file, RETRY_EVERY);
    expect(first).toMatchObject({status: 'passed', retries: 1});
    expect(every).toMatchObject({status: 'failed', retries: 2});
    expect(findTest(result.report!, file, ['never leaks'])).toMatchObject({status: 'passed', retries: 0, findings: []});
    // Findings of all attempts are kept (merged or one per attempt), each on its test.
    for (const [id, titlePath] of [
      ['retry.first-attempt', RETRY_FIRST],
      ['retry.every-attempt', RETRY_EVERY],
    ] as const) {
      const found = findingsAt(result.report!, markers.get(id)!);
      expect(found.length).toBeGreaterThan(0);
      expect(
        found
          .filter(({finding, test}) => finding.kind !== 'timer' || finding.scope !== 'test' || JSON.stringify(test?.titlePath) !== JSON.stringify(titlePath))
          .map(describeFinding),
      ).toEqual([]);
    }
    expect(checkTestFailure(result.report!, markers, {id: 'retry.every-attempt', kind: 'timer', scope: 'test', scopePath: [...RETRY_EVERY]})).toEqual([]);
  });

  test(`test.concurrent: ${major === 30 ? 'attributed to the concurrent test' : 'falls back to file scope'}`, () => {
    const expected = concurrentLeak(major);
    expect(checkLeak(result.report!, markers, expected)).toEqual([]);
    if (expected.scope === 'test') expect(checkTestFailure(result.report!, markers, expected)).toEqual([]);
    for (const title of ['concurrent test that cleans up', 'a serial test after them']) {
      expect(findTest(result.report!, '__tests__/concurrent.test.js', [title])).toMatchObject({status: 'passed', findings: []});
    }
  });

  test("an assertion failure reads as without Leakwatch: the test's own line, no frame of Leakwatch's", () => {
    const file = '__tests__/assertion.test.js';
    for (const [title, line] of [
      ['fails an assertion', 4],
      ['fails an assertion after an await', 9],
    ] as const) {
      expect(findTest(result.report!, file, [title])).toMatchObject({status: 'failed', findings: []});
      const stack = failureStack(result.stderr, title);
      expect(stack).toHaveLength(1);
      expect(stack[0]).toContain(`(${file}:${line}:17)`);
    }
    // Nor under the leak failures: the test wrapper's frame is dropped like Jest's own.
    expect(result.stderr.split('\n').filter(line => /^\s+at .*(jest-environment-leakwatch|@leakwatch[\\/])/.test(line))).toEqual([]);
  });

  test('nothing else is reported', () => {
    const expected = [TS_LEAK, concurrentLeak(major), {id: 'retry.first-attempt'}, {id: 'retry.every-attempt'}] as ExpectedLeak[];
    expect(unexpectedFindings(result.report!, markers, expected)).toEqual([]);
  });
});
