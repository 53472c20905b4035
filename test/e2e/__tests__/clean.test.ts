/**
 * Clean look-alikes (test/e2e/clean): closed servers, cleared/unref'd/fake timers, consumed
 * streams, destroyed keep-alive agents, fetch, balanced hooks. Leakwatch must report nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

const STORAGE_PROBE = path.resolve(__dirname, '../../helpers/asyncStorageProbe.js');

interface StorageProbeLine {
  pid: number;
  storageList: boolean;
  enabled?: number;
  stillEnabled?: number;
}

describe.each(RUNS)('clean look-alikes on Jest %i (%s)', (major, mode) => {
  let result: RunJestResult;
  const storageLog = path.join(os.tmpdir(), `leakwatch-e2e-storages-${major}-${mode}-${process.pid}.jsonl`);

  beforeAll(async () => {
    fs.rmSync(storageLog, {force: true});
    result = await runJest('clean', {
      major,
      label: mode,
      args: mode === 'in-band' ? ['--runInBand'] : ['-w', '2'],
      env: {NODE_OPTIONS: `--require ${STORAGE_PROBE}`, ASYNC_STORAGE_PROBE_LOG: storageLog},
    });
  });

  afterAll(() => fs.rmSync(storageLog, {force: true}));

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

  test("no test file's AsyncLocalStorage is left enabled (jest-circus 30 creates one per file)", () => {
    const lines = fs
      .readFileSync(storageLog, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as StorageProbeLine);
    // The Jest CLI, plus each worker.
    expect(lines.length).toBeGreaterThanOrEqual(mode === 'workers' ? 2 : 1);
    const listed = lines.filter(line => line.storageList);
    expect(listed.map(line => line.stillEnabled)).toEqual(listed.map(() => 0));
    const enabled = listed.reduce((sum, line) => sum + line.enabled!, 0);
    // Without Leakwatch's release each of these would still be enabled at exit.
    if (major === 30 && listed.length > 0) expect(enabled).toBeGreaterThanOrEqual(FILES.length);
  });
});
