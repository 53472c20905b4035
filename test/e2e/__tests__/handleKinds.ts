/**
 * Every handle kind × every scope, in band and with workers:
 * test/e2e/handle-kinds/__tests__/<kind>.test.js leaks one resource from each scope.
 * One driver file per Jest major (handleKinds.jest29/30.test.ts) so they run side by side.
 */
import {runJest, describeRun, type RunJestResult} from '../../helpers/runJest';
import {
  EXIT_PROBLEMS,
  checkLeak,
  checkTestFailure,
  findTest,
  hasCodeFrame,
  leakMarkers,
  unexpectedFindings,
  type ExpectedLeak,
} from '../../helpers/leaks';
import type {JestMajor} from '../../helpers/workspace';

const SCENARIO = 'handle-kinds';
const markers = leakMarkers(SCENARIO);

const KINDS = ['timer', 'server', 'socket', 'file', 'watcher', 'child-process', 'worker'] as const;

/** Where each file of the matrix creates its representative resource. */
const POSITIONS: Array<Omit<ExpectedLeak, 'id' | 'kind'> & {position: string}> = [
  {position: 'module', scope: 'file', scopePath: []},
  {position: 'root-beforeAll', scope: 'file', scopePath: []},
  {position: 'root-afterAll', scope: 'file', scopePath: []},
  {position: 'describe-beforeAll', scope: 'describe', scopePath: ['describe hooks']},
  {position: 'describe-afterAll', scope: 'describe', scopePath: ['describe hooks']},
  {position: 'beforeEach', scope: 'test', scopePath: ['beforeEach hook', 'leaks through beforeEach']},
  {position: 'afterEach', scope: 'test', scopePath: ['afterEach hook', 'leaks through afterEach']},
  {position: 'body', scope: 'test', scopePath: ['leaks in the test body']},
  {position: 'after-await', scope: 'test', scopePath: ['leaks after an await']},
];

/** Variants of a kind, each leaked from a test body. */
const VARIANTS: ExpectedLeak[] = [
  {id: 'timer.setTimeout', kind: 'timer', scope: 'test', scopePath: ['leaks a setTimeout']},
  {id: 'timer.outliving-chain', kind: 'timer', scope: 'test', scopePath: ['leaks through an un-awaited promise chain that outlives the test']},
  {id: 'timer.outliving-chain-late', kind: 'timer', scope: 'test', scopePath: ['leaks through a chain that finishes while the next test runs']},
  {id: 'timer.done-callback', kind: 'timer', scope: 'test', scopePath: ['leaks in a test with a done callback']},
  {id: 'timer.test-each', kind: 'timer', scope: 'test', scopePath: ['leaks in test.each (first)']},
  {id: 'timer.nested-describe-beforeAll', kind: 'timer', scope: 'describe', scopePath: ['outer', 'inner']},
  {id: 'server.http', kind: 'server', scope: 'test', scopePath: ['leaks an http server']},
  {id: 'socket.client', kind: 'socket', scope: 'test', scopePath: ['with a well-behaved server', 'leaks a client socket']},
  {id: 'socket.accepted', kind: 'socket', scope: 'test', scopePath: ['leaks an accepted socket']},
  {id: 'socket.accepted-any-host', kind: 'socket', scope: 'test', scopePath: ['leaks an accepted socket of a server listening on all interfaces']},
  {id: 'file.open-callback', kind: 'file', scope: 'test', scopePath: ['leaks an fd from fs.open with a callback']},
  {id: 'file.promises-open', kind: 'file', scope: 'test', scopePath: ['leaks a FileHandle from fs.promises.open']},
  {id: 'file.read-stream', kind: 'file', scope: 'test', scopePath: ['leaks an unconsumed read stream']},
  {id: 'file.write-stream', kind: 'file', scope: 'test', scopePath: ['leaks a write stream that is never ended']},
  {id: 'watcher.watchFile', kind: 'watcher', scope: 'test', scopePath: ['leaks an fs.watchFile stat watcher']},
  {id: 'child-process.piped', kind: 'child-process', scope: 'test', scopePath: ['leaks a child process with piped stdio']},
  {id: 'worker.online', kind: 'worker', scope: 'test', scopePath: ['leaks a worker that has come online']},
];

/** Opens with readFileSync's own openSync arguments: reported with a path but no line to mark. */
const STACKLESS_FD_TEST = 'leaks an fd opened with the arguments readFileSync uses';

/**
 * The outliving chain creates its timer after its test returned; whether that test can
 * still be failed depends on when the chain finishes, so only attribution is asserted.
 */
const ATTRIBUTION_ONLY = new Set(['timer.outliving-chain', 'timer.outliving-chain-late']);

const EXPECTED: ExpectedLeak[] = [
  ...KINDS.flatMap(kind => POSITIONS.map(({position, ...rest}) => ({id: `${kind}.${position}`, kind, ...rest}))),
  ...VARIANTS,
];

/** Tests that must pass: nothing of theirs leaks. */
const CLEAN_TESTS: string[][] = [
  ['describe hooks', 'passes although its describe block leaks'],
  ['does not leak'],
];

export function describeHandleKinds(major: JestMajor): void {
  describe.each(['in-band', 'workers'] as const)(`handle-kinds on Jest ${major} (%s)`, mode => {
    let result: RunJestResult;

    beforeAll(async () => {
      result = await runJest(SCENARIO, {major, label: `${mode}`, args: mode === 'in-band' ? ['--runInBand'] : ['-w', '2']});
    });

    test('fails the run, exits on its own and writes leakwatch.json', () => {
      expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
      expect(result.report).toBeDefined();
      expect(result.report!.files.map(f => f.path).sort()).toEqual(KINDS.map(kind => `__tests__/${kind}.test.js`).sort());
    });

    test('every file was watched without problems', () => {
      expect(result.report!.files.filter(f => !f.instrumented || f.warnings.length > 0).map(f => `${f.path}: instrumented ${f.instrumented} ${JSON.stringify(f.warnings)}`)).toEqual([]);
    });

    test('cleanup leaves nothing that keeps Jest or a worker alive', () => {
      expect(`${result.stdout}\n${result.stderr}`).not.toMatch(EXIT_PROBLEMS);
      expect(result.strayProcesses).toEqual([]);
    });

    test.each(KINDS)('%s: reported with kind, scope, test and line from every scope', kind => {
      const problems = EXPECTED.filter(e => e.kind === kind).flatMap(e => checkLeak(result.report!, markers, e));
      expect(problems).toEqual([]);
    });

    test('nothing else is reported', () => {
      // The stackless fd has no line to mark; the next test checks it.
      const others = unexpectedFindings(result.report!, markers, EXPECTED);
      expect(others.filter(text => !(text.includes(`[${STACKLESS_FD_TEST}]`) && text.includes('(no location)')))).toEqual([]);
    });

    test("an fd opened with readFileSync's own arguments fails its test, with its path and no line", () => {
      const test = findTest(result.report!, '__tests__/file.test.js', [STACKLESS_FD_TEST]);
      expect(test).toMatchObject({status: 'failed'});
      expect(test!.findings).toEqual([
        expect.objectContaining({kind: 'file', scope: 'test', resourceType: 'fs.openSync', stack: [], details: expect.objectContaining({note: expect.stringContaining('no creation line')})}),
      ]);
      expect(test!.findings[0]!.location).toBeUndefined();
      expect(test!.findings[0]!.details.path).toMatch(/file\.test\.js$/);
      // Jest's failure output says why there is no code frame.
      expect(result.stderr).toMatch(/leaks an fd opened with the arguments readFileSync uses[\s\S]*never closed \(fs\.openSync; no creation line/);
    });

    test('each test-scoped leak fails its test with "leaked" and the creating line', () => {
      const problems = EXPECTED.filter(e => e.scope === 'test' && !ATTRIBUTION_ONLY.has(e.id)).flatMap(e =>
        checkTestFailure(result.report!, markers, e),
      );
      expect(problems).toEqual([]);
    });

    test('Jest shows a code frame at the creating line of each leaking test', () => {
      const missing = EXPECTED.filter(e => e.scope === 'test' && !ATTRIBUTION_ONLY.has(e.id))
        .map(e => markers.get(e.id)!)
        .filter(marker => !hasCodeFrame(result.stderr, marker))
        .map(marker => `${marker.id} (${marker.file}:${marker.line})`);
      expect(missing).toEqual([]);
    });

    test('describe- and file-scoped leaks fail their file, naming the creating line, and keep per-test results', () => {
      const problems: string[] = [];
      for (const kind of KINDS) {
        const path = `__tests__/${kind}.test.js`;
        const file = result.report!.files.find(f => f.path === path);
        if (!file) {
          problems.push(`${path}: missing from the report`);
          continue;
        }
        if (file.status === 'passed') problems.push(`${path}: status passed, expected failed`);
        for (const titlePath of CLEAN_TESTS) {
          const test = findTest(result.report!, path, titlePath);
          if (test?.status !== 'passed') problems.push(`${path} "${titlePath.join(' > ')}": ${test ? test.status : 'missing'}, expected passed`);
        }
        for (const position of POSITIONS.filter(p => p.scope !== 'test')) {
          const marker = markers.get(`${kind}.${position.position}`)!;
          if (!result.stderr.includes(`${marker.file}:${marker.line}:`)) {
            problems.push(`${path}: Jest's output does not mention ${marker.file}:${marker.line} (${position.position})`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(result.stderr).toMatch(/leaked/);
    });

    test('the test that runs while an earlier chain finishes is not blamed', () => {
      const test = findTest(result.report!, '__tests__/timer.test.js', ["runs while the previous test's chain finishes"]);
      expect(test).toMatchObject({status: 'passed', findings: []});
    });

    test('a nested describe block leaks without failing its tests; skipped and todo tests are kept', () => {
      const file = '__tests__/timer.test.js';
      expect(findTest(result.report!, file, ['outer', 'inner', 'passes inside a leaking nested describe'])).toMatchObject({status: 'passed', findings: []});
      expect(findTest(result.report!, file, ['outer', 'inner', 'is skipped'])).toMatchObject({status: 'skipped', findings: []});
      expect(findTest(result.report!, file, ['outer', 'inner', 'is a todo'])).toMatchObject({status: 'todo', findings: []});
    });

    afterAll(() => {
      // Keeps the whole output in the log when something above failed.
      if (result && (result.exitCode !== 1 || !result.report)) console.log(describeRun(result));
    });
  });
}
