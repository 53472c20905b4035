/**
 * The example project (examples/http-service, a workspace of this repo) run the way
 * `npm run demo` runs it: its leaky tests fail with the right finding, its clean ones pass.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunReport} from '@leakwatch/core';

const exampleDir = path.resolve(__dirname, '../../../examples/http-service');
const jestBin = path.join(path.dirname(require.resolve('jest/package.json', {paths: [exampleDir]})), 'bin', 'jest.js');

describe.each([['in-band', ['--runInBand']], ['workers', ['-w', '2']]])('examples/http-service (%s)', (_mode, args) => {
  let report: RunReport;
  let exitCode: number | null;
  let stderr: string;

  beforeAll(() => {
    fs.rmSync(path.join(exampleDir, 'leakwatch-report'), {recursive: true, force: true});
    const run = spawnSync(process.execPath, [jestBin, '--ci', ...args], {
      cwd: exampleDir,
      encoding: 'utf8',
      env: {...process.env, NO_COLOR: '1', LEAKWATCH_RUN_DIR: ''},
      timeout: 120_000,
    });
    exitCode = run.status;
    stderr = run.stderr;
    report = JSON.parse(fs.readFileSync(path.join(exampleDir, 'leakwatch-report/leakwatch.json'), 'utf8')) as RunReport;
  });

  test('the leaky tests fail, and only they', () => {
    expect(exitCode).toBe(1);
    const failed = report.files.flatMap(file => file.tests.filter(test => test.status === 'failed').map(test => `${file.path} › ${test.fullName}`));
    expect(failed.sort()).toEqual([
      'test/users.test.js › access log tails the log (opens a descriptor and never closes it)',
      'test/users.test.js › users API expires old users (forgets to stop the sweeper)',
      'test/users.test.js › users API returns 404 for a missing user (forgets to close the server)',
    ]);
    expect(stderr).not.toMatch(/did not exit|failed to exit gracefully/);
  });

  test('each finding names its kind, test and creating line', () => {
    const findings = report.files.flatMap(file =>
      file.tests.flatMap(test => test.findings.map(f => `${f.kind} ${f.scope} ${test.titlePath.at(-1)} ${f.location?.file}:${f.location?.line}`)),
    );
    expect(findings.sort()).toEqual([
      'file test tails the log (opens a descriptor and never closes it) test/users.test.js:56',
      'server test returns 404 for a missing user (forgets to close the server) src/app.js:41',
      // The keep-alive connection fetch left open on the server that was never closed.
      'socket test returns 404 for a missing user (forgets to close the server) src/app.js:41',
      'timer test expires old users (forgets to stop the sweeper) src/userStore.js:13',
    ]);
    expect(report.files.flatMap(file => file.findings)).toEqual([]);
    expect(report.files.map(file => [file.path, file.leakStatus])).toEqual([
      ['test/health.test.js', 'clean'],
      ['test/store.test.js', 'clean'],
      ['test/users.test.js', 'leaks'],
    ]);
  });
});
