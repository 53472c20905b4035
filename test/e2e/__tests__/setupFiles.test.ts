/**
 * setupFiles run before the environment's setup() and setupFilesAfterEnv before the tests
 * (test/e2e/setup-files): their leaks belong to the file; a global beforeEach's to each test.
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {allFindings, describeFinding, findingsAt, leakMarkers, checkLeak, type ExpectedLeak} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const markers = leakMarkers('setup-files');
const FILE_LEAKS: ExpectedLeak[] = [
  {id: 'setup.setupFiles', kind: 'timer', scope: 'file', scopePath: []},
  {id: 'setup.setupFilesAfterEnv', kind: 'file', scope: 'file', scopePath: []},
];
const TESTS = [['first test'], ['second test']];

describe.each([29, 30] as JestMajor[])('setupFiles and setupFilesAfterEnv on Jest %i', major => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest('setup-files', {major, label: 'in-band', args: ['--runInBand']});
  });

  test('fails the run and exits on its own', () => {
    if (result.exitCode !== 1) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
  });

  test('leaks of setup modules are file-scoped, at their line', () => {
    expect(FILE_LEAKS.flatMap(e => checkLeak(result.report!, markers, e))).toEqual([]);
  });

  test('a global beforeEach from setupFilesAfterEnv leaks into each test that ran it', () => {
    const found = findingsAt(result.report!, markers.get('setup.global-beforeEach')!);
    const where = found.map(({finding, test}) => `${finding.kind} ${finding.scope} ${JSON.stringify(test?.titlePath)}`).sort();
    expect(where).toEqual(TESTS.map(titlePath => `timer test ${JSON.stringify(titlePath)}`).sort());
    for (const titlePath of TESTS) {
      const test = result.report!.files[0]!.tests.find(t => JSON.stringify(t.titlePath) === JSON.stringify(titlePath));
      expect(test?.status).toBe('failed');
    }
  });

  test('nothing else is reported', () => {
    const known = ['setup.setupFiles', 'setup.setupFilesAfterEnv', 'setup.global-beforeEach'].map(id => markers.get(id)!);
    const others = allFindings(result.report!).filter(({finding}) => !known.some(m => finding.location?.file === m.file && finding.location.line === m.line));
    expect(others.map(describeFinding)).toEqual([]);
  });
});
