import type {Finding, RunReport} from '@leakwatch/core';
import {checkLeak, checkTestFailure, hasCodeFrame, leakMarkers, unexpectedFindings, type ExpectedLeak} from '../leaks';
import {normalizeOutput} from '../runJest';

const markers = leakMarkers('handle-kinds');
const body = markers.get('timer.body')!;

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'x',
    kind: 'timer',
    severity: 'error',
    scope: 'test',
    scopePath: ['leaks in the test body'],
    resourceType: 'Timeout',
    message: 'this test leaked a timer',
    location: {file: body.file, line: body.line, column: 3},
    stack: [`Object.<anonymous> (${body.file}:${body.line}:3)`],
    details: {},
    ...overrides,
  };
}

function report(findings: Finding[], where: 'test' | 'file' = 'test', failureMessages: string[] = []): RunReport {
  return {
    files: [
      {
        path: body.file,
        status: 'failed',
        durationMs: 1,
        findings: where === 'file' ? findings : [],
        tests: [
          {
            titlePath: ['leaks in the test body'],
            fullName: 'leaks in the test body',
            status: 'failed',
            durationMs: 1,
            retries: 0,
            findings: where === 'test' ? findings : [],
            failureMessages,
          },
        ],
        instrumented: true,
        leakStatus: 'leaks',
        warnings: [],
      },
    ],
  } as unknown as RunReport;
}

const expected: ExpectedLeak = {id: 'timer.body', kind: 'timer', scope: 'test', scopePath: ['leaks in the test body']};

test('markers come from the fixture source', () => {
  expect(body).toMatchObject({file: '__tests__/timer.test.js', text: expect.stringContaining('LEAK:timer.body')});
  expect(body.line).toBeGreaterThan(1);
});

test('checkLeak accepts the right finding and names every difference otherwise', () => {
  expect(checkLeak(report([finding()]), markers, expected)).toEqual([]);
  const [problem] = checkLeak(report([finding({kind: 'other', scope: 'file', scopePath: []})], 'file'), markers, expected);
  expect(problem).toMatch(/kind other, expected timer/);
  expect(problem).toMatch(/scope file, expected test/);
  expect(problem).toMatch(/listed under the file/);
  expect(checkLeak(report([]), markers, expected)).toEqual([expect.stringMatching(/no finding at this line/)]);
  expect(checkLeak(report([finding(), finding({kind: 'socket'})]), markers, expected)).toEqual([expect.stringMatching(/2 findings at this line/)]);
});

test('checkTestFailure wants "leaked" and the creating line in the failure message', () => {
  const ok = report([finding()], 'test', [`ResourceLeak: this test leaked a timer\n    at Object.<anonymous> (${body.file}:${body.line}:3)`]);
  expect(checkTestFailure(ok, markers, expected)).toEqual([]);
  expect(checkTestFailure(report([finding()], 'test', ['boom']), markers, expected)).toHaveLength(1);
});

test('unexpectedFindings lists findings no expectation accounts for', () => {
  const stray = finding({location: {file: 'node_modules/x/index.js', line: 1, column: 1}, kind: 'socket'});
  expect(unexpectedFindings(report([finding(), stray]), markers, [expected])).toEqual([expect.stringMatching(/socket .* node_modules\/x\/index\.js:1:1/)]);
});

test('hasCodeFrame finds Jest\'s "> line |" marker', () => {
  expect(hasCodeFrame(`    ${body.line - 1} |\n  > ${body.line} |   ${body.text}\n`, body)).toBe(true);
  expect(hasCodeFrame(`  > ${body.line + 1} |   ${body.text}\n`, body)).toBe(false);
});

test('normalizeOutput makes paths relative and strips timings', () => {
  const out = normalizeOutput('PASS /tmp/x/a.test.js (1.2 s)\n  ✓ works (3 ms)\nTime:        1.5 s\n', '/tmp/x');
  expect(out).toBe('PASS <rootDir>/a.test.js \n  ✓ works \nTime:        <<REPLACED>>\n');
});
