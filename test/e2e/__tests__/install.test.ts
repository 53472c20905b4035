/**
 * The packed tarballs install into a fresh project (test/.work/jest<major>, set up by the
 * e2e globalSetup like a user would with `npm install <tgz...>`), and the fixture corpus is
 * sound: under the stock jest-environment-node every fixture test passes.
 */
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {runJest, describeRun} from '../../helpers/runJest';
import {JEST_MAJORS, projectDir} from '../../helpers/workspace';

/** Runs in the scratch project, so resolution is exactly a user's. */
const PROBE = String.raw`
const path = require('node:path');
const fs = require('node:fs');
const out = {};
for (const name of ['@leakwatch/core', 'jest-environment-leakwatch', '@leakwatch/jest-reporter']) {
  const pkgJson = require.resolve(name + '/package.json');
  const dir = path.dirname(pkgJson);
  out[name] = {dir, symlink: fs.lstatSync(dir).isSymbolicLink(), version: require(pkgJson).version};
}
const envDir = out['jest-environment-leakwatch'].dir;
out.coreFromEnvironment = path.dirname(require.resolve('@leakwatch/core/package.json', {paths: [envDir]}));
out.jestVersion = require('jest/package.json').version;
out.schemaShipped = fs.existsSync(path.join(out['@leakwatch/core'].dir, 'schema/run-report.schema.json'));
try {
  const env = require('jest-environment-leakwatch');
  const {TestEnvironment: NodeEnvironment} = require('jest-environment-node');
  out.environment = {
    defaultIsClass: typeof env.default === 'function',
    namedTestEnvironment: env.TestEnvironment === env.default,
    extendsNodeEnvironment: typeof env.default === 'function' && env.default.prototype instanceof NodeEnvironment,
  };
} catch (error) { out.environment = {error: String(error)}; }
try {
  const reporter = require('@leakwatch/jest-reporter');
  out.reporter = {defaultIsClass: typeof (reporter.default ?? reporter) === 'function'};
} catch (error) { out.reporter = {error: String(error)}; }
console.log(JSON.stringify(out));
`;

describe.each(JEST_MAJORS)('the tarballs installed next to Jest %i', major => {
  const dir = projectDir(major);
  const probe = () => JSON.parse(execFileSync(process.execPath, ['-e', PROBE], {cwd: dir, encoding: 'utf8'})) as Record<string, any>;

  test('resolve from the project\'s own node_modules, not from the workspace', () => {
    const out = probe();
    const modules = path.join(dir, 'node_modules');
    for (const name of ['@leakwatch/core', 'jest-environment-leakwatch', '@leakwatch/jest-reporter']) {
      expect(out[name]).toMatchObject({symlink: false, version: expect.any(String)});
      expect(out[name].dir.startsWith(modules)).toBe(true);
    }
    expect(out.coreFromEnvironment.startsWith(modules)).toBe(true);
    expect(out.jestVersion.split('.')[0]).toBe(String(major));
    // Installed from the tarballs, not fetched from the registry.
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as {packages: Record<string, {resolved?: string}>};
    for (const name of ['@leakwatch/core', 'jest-environment-leakwatch', '@leakwatch/jest-reporter']) {
      expect(lock.packages[`node_modules/${name}`]?.resolved).toMatch(/^file:.*\.tgz$/);
    }
  });

  test('export what Jest loads: the environment class (extending jest-environment-node) and the reporter', () => {
    const out = probe();
    expect(out.environment).toEqual({defaultIsClass: true, namedTestEnvironment: true, extendsNodeEnvironment: true});
    expect(out.reporter).toEqual({defaultIsClass: true});
  });

  test('ship the run-report JSON Schema in @leakwatch/core', () => {
    expect(probe().schemaShipped).toBe(true);
  });
});

describe('the fixture corpus under the stock jest-environment-node', () => {
  const STOCK = ['--testEnvironment=node', '--reporters=default'];

  test.each(JEST_MAJORS)('handle-kinds: every test passes on Jest %i (stock Jest does not fail leaks)', async major => {
    // --forceExit: the stock environment leaves the leaks running.
    const result = await runJest('handle-kinds', {major, label: 'stock', args: [...STOCK, '--forceExit', '-w', '2']});
    if (result.exitCode !== 0) console.log(describeRun(result));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^Tests:\s+(\d+ skipped, )?(\d+ todo, )?\d+ passed, \d+ total$/m);
    expect(result.report).toBeUndefined();
  });

  test.each(JEST_MAJORS)('clean: passes and exits on its own on Jest %i', async major => {
    const result = await runJest('clean', {major, label: 'stock', args: [...STOCK, '--runInBand']});
    if (result.exitCode !== 0) console.log(describeRun(result));
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 0, signal: null});
  });
});

afterAll(() => {
  expect(fs.existsSync(path.join(projectDir(30), 'node_modules/.leakwatch-e2e-install'))).toBe(true);
});
