/**
 * A monorepo run (test/e2e/projects): `projects: ['<rootDir>/api', '<rootDir>/web']`, each
 * project with its own rootDir. Every path in leakwatch.json is relative to the run's rootDir,
 * so findings from two projects never collide and point at files that exist.
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {checkLeak, checkTestFailure, findTest, leakMarkers, unexpectedFindings, type ExpectedLeak} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const markers = leakMarkers('projects');
const EXPECTED: ExpectedLeak[] = [
  {id: 'projects.api-server', kind: 'server', scope: 'test', scopePath: ['api leaks a server']},
  {id: 'projects.web-timer', kind: 'timer', scope: 'test', scopePath: ['web leaks a timer']},
];

describe.each([29, 30] as JestMajor[])('a multi-project run on Jest %i', major => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest('projects', {major, label: 'workers', args: ['-w', '2']});
  });

  test('fails the run; both projects\' files are in leakwatch.json', () => {
    if (result.exitCode !== 1) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    expect(result.report!.files.map(f => f.path).sort()).toEqual(['api/__tests__/server.test.js', 'web/__tests__/timer.test.js']);
    expect(findTest(result.report!, 'api/__tests__/server.test.js', ['api is clean'])?.status).toBe('passed');
    expect(findTest(result.report!, 'web/__tests__/timer.test.js', ['web is clean'])?.status).toBe('passed');
  });

  test('finding locations and stacks are relative to the run\'s rootDir, like file paths', () => {
    expect(EXPECTED.flatMap(e => [...checkLeak(result.report!, markers, e), ...checkTestFailure(result.report!, markers, e)])).toEqual([]);
    expect(unexpectedFindings(result.report!, markers, EXPECTED)).toEqual([]);
  });
});
