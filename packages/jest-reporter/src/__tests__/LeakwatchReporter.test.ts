import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {Config, Test, TestResult} from '@jest/reporters';
import Ajv2020 from 'ajv/dist/2020';
import {RUN_DIR_ENV, sidecarPath, writeSidecar, type FileSidecar, type Finding, type RunReport} from '@leakwatch/core';
import {LeakwatchReporter} from '../LeakwatchReporter';
import {finding} from './fixtures';

const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', 'core', 'schema', 'run-report.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false}).compile(schema);

let rootDir: string;
beforeEach(() => {
  rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-reporter-'));
});
afterEach(() => {
  fs.rmSync(rootDir, {recursive: true, force: true});
});

function fakeTest(file: string): Test {
  return {path: path.join(rootDir, file), context: {config: {id: 'project-1', rootDir}}} as unknown as Test;
}

function fakeResult(file: string, overrides: Partial<TestResult> = {}): TestResult {
  return {
    testFilePath: path.join(rootDir, file),
    numFailingTests: 0,
    numPassingTests: 1,
    numPendingTests: 0,
    numTodoTests: 0,
    perfStats: {start: 1000, end: 1100, runtime: 100, slow: false},
    testResults: [
      {ancestorTitles: ['suite'], title: 'leaks', fullName: 'suite leaks', status: 'passed', duration: 4, failureMessages: [], location: {line: 3, column: 1}, numPassingAsserts: 0, failureDetails: []},
      {ancestorTitles: ['suite'], title: 'clean', fullName: 'suite clean', status: 'passed', duration: 2, failureMessages: [], location: null, numPassingAsserts: 0, failureDetails: []},
    ],
    ...overrides,
  } as unknown as TestResult;
}

function makeReporter(options: Record<string, unknown> = {}, logs: string[] = [], clock = {t: 1_700_000_000_000}) {
  const env: NodeJS.ProcessEnv = {};
  const reporter = new LeakwatchReporter({rootDir} as Config.GlobalConfig, {hangDiagnosis: false, ...options}, undefined, {
    env,
    now: () => clock.t,
    log: message => logs.push(message),
    color: false,
    clientBundle: 'document.body.dataset.ok = "1";',
    cwd: rootDir,
  });
  return {reporter, env, clock};
}

function sidecarFor(file: string, findings: Finding[]): FileSidecar {
  return {
    sidecarVersion: 1,
    testPath: path.join(rootDir, file),
    projectId: 'project-1',
    rootDir,
    options: {cleanup: true},
    findings: [],
    tests: [{titlePath: ['suite', 'leaks'], findings}],
    warnings: [],
    node: {version: process.version},
  };
}

function readReport(name = 'leakwatch.json'): RunReport {
  return JSON.parse(fs.readFileSync(path.join(rootDir, 'leakwatch-report', name), 'utf8')) as RunReport;
}

describe('LeakwatchReporter', () => {
  it('publishes an empty run directory to workers and removes it after the run', () => {
    const stale = path.join(rootDir, 'leakwatch-report', '.sidecars', 'stale.json');
    fs.mkdirSync(path.dirname(stale), {recursive: true});
    fs.writeFileSync(stale, '{}');
    const {reporter, env} = makeReporter();
    const runDir = path.join(rootDir, 'leakwatch-report', '.sidecars');
    expect(env[RUN_DIR_ENV]).toBe(runDir);
    expect(fs.readdirSync(runDir)).toEqual([]);
    reporter.onRunComplete();
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('merges sidecars with Jest results and writes a schema-valid leakwatch.json, junit.xml and report.html', () => {
    const logs: string[] = [];
    const {reporter, env, clock} = makeReporter({}, logs);
    reporter.onRunStart();
    writeSidecar(env[RUN_DIR_ENV] as string, sidecarFor('b.test.ts', [finding({scopePath: ['suite', 'leaks']})]));
    reporter.onTestFileResult(fakeTest('b.test.ts'), fakeResult('b.test.ts', {numFailingTests: 1}));
    // a file run by another environment: no sidecar
    reporter.onTestFileResult(fakeTest('a.test.ts'), fakeResult('a.test.ts'));
    // a file that failed to run
    reporter.onTestFileResult(
      fakeTest('c.test.ts'),
      fakeResult('c.test.ts', {testResults: [], testExecError: {message: 'boom', stack: 'Error: boom'}, failureMessage: '● Test suite failed to run\n\n  boom'} as Partial<TestResult>),
    );
    clock.t += 2500;
    reporter.onRunComplete();

    const report = readReport();
    expect(validate(report)).toBe(true);
    expect(report.files.map(f => [f.path, f.status, f.instrumented, f.leakStatus])).toEqual([
      ['a.test.ts', 'passed', false, 'unknown'],
      ['b.test.ts', 'failed', true, 'leaks'],
      ['c.test.ts', 'error', false, 'unknown'],
    ]);
    expect(report.files[1]?.tests[0]).toMatchObject({titlePath: ['suite', 'leaks'], location: {line: 3, column: 1}, findings: [{id: 'f1'}]});
    expect(report.files[2]?.error).toBe('● Test suite failed to run\n\n  boom');
    expect(report.durationMs).toBe(2500);
    expect(report.startedAt).toBe('2023-11-14T22:13:20.000Z');
    expect(report.status).toBe('failed');
    expect(report.options).toMatchObject({reporter: {outputDir: 'leakwatch-report', junitProfile: 'strict'}, environment: {cleanup: true}});
    expect(fs.readFileSync(path.join(rootDir, 'leakwatch-report', 'junit.xml'), 'utf8')).toContain('<testsuite name="b.test.ts"');
    expect(fs.readFileSync(path.join(rootDir, 'leakwatch-report', 'report.html'), 'utf8')).toContain('document.body.dataset.ok');
    expect(reporter.getLastError()).toBeUndefined();
    expect(logs.join('\n')).toContain('Leakwatch: 1 finding in 1 of 3 files (timer 1)');
    expect(logs.join('\n')).toContain('2 files not watched');
    expect(logs.join('\n')).toContain('Reports: leakwatch-report/leakwatch.json, leakwatch-report/junit.xml, leakwatch-report/report.html');
  });

  it('takes sidecars written in its own process from memory, and files from workers', () => {
    const {reporter, env} = makeReporter({junit: false, html: false});
    const runDir = env[RUN_DIR_ENV] as string;
    // In band: the environment shares this process.
    const inBand = writeSidecar(runDir, sidecarFor('a.test.ts', [finding({id: 'in-band'})]));
    expect(fs.existsSync(inBand)).toBe(false);
    // A worker writes a file.
    const fromWorker = sidecarFor('b.test.ts', [finding({id: 'from-worker'})]);
    fs.writeFileSync(sidecarPath(runDir, fromWorker.projectId, fromWorker.testPath), JSON.stringify(fromWorker));
    reporter.onTestFileResult(fakeTest('a.test.ts'), fakeResult('a.test.ts'));
    reporter.onTestFileResult(fakeTest('b.test.ts'), fakeResult('b.test.ts'));
    reporter.onRunComplete();
    const files = readReport().files;
    expect(files.map(file => [file.path, file.instrumented, file.tests[0]?.findings.map(f => f.id)])).toEqual([
      ['a.test.ts', true, ['in-band']],
      ['b.test.ts', true, ['from-worker']],
    ]);
  });

  it('keeps a file whose sidecar is corrupt as unknown, never clean', () => {
    const {reporter, env} = makeReporter({junit: false, html: false});
    const runDir = env[RUN_DIR_ENV] as string;
    // As a worker process writes it (no reporter in its process to hand it to in memory).
    fs.writeFileSync(sidecarPath(runDir, 'project-1', path.join(rootDir, 'b.test.ts')), '{"sidecarVersion":1,');
    reporter.onTestFileResult(fakeTest('b.test.ts'), fakeResult('b.test.ts'));
    reporter.onRunComplete();
    const file = readReport().files[0];
    expect(file).toMatchObject({instrumented: false, leakStatus: 'unknown', status: 'passed'});
    expect(file?.warnings[0]).toMatch(/not valid JSON/);
  });

  it('never throws from a hook: a malformed result becomes a warning and the other outputs are written', () => {
    const {reporter} = makeReporter();
    expect(() => reporter.onTestFileResult(fakeTest('x.test.ts'), {testFilePath: 'x'} as unknown as TestResult)).not.toThrow();
    expect(() => reporter.onTestFileResult({} as Test, {} as TestResult)).not.toThrow();
    reporter.onRunComplete();
    const report = readReport();
    expect(report.files.map(f => [f.path, f.leakStatus])).toEqual([['?', 'unknown'], ['x.test.ts', 'unknown']]);
    expect(report.warnings?.[0]).toMatch(/could not process results of x\.test\.ts/);
    expect(validate(report)).toBe(true);
  });

  it('records a failed write, still writes the other files, and reports it through getLastError', () => {
    const {reporter} = makeReporter({junit: 'blocked/junit.xml'});
    fs.mkdirSync(path.join(rootDir, 'leakwatch-report'), {recursive: true});
    fs.writeFileSync(path.join(rootDir, 'leakwatch-report', 'blocked'), 'a file where a directory should be');
    reporter.onTestFileResult(fakeTest('a.test.ts'), fakeResult('a.test.ts'));
    reporter.onRunComplete();
    expect(fs.existsSync(path.join(rootDir, 'leakwatch-report', 'leakwatch.json'))).toBe(true);
    expect(fs.existsSync(path.join(rootDir, 'leakwatch-report', 'report.html'))).toBe(true);
    expect(reporter.getLastError()?.message).toMatch(/could not write .*blocked[/\\]junit\.xml/);
  });

  it('prints nothing when quiet, and writes only what is enabled', () => {
    const logs: string[] = [];
    const {reporter} = makeReporter({quiet: true, html: false, junit: false, json: 'custom.json'}, logs);
    reporter.onRunComplete();
    expect(logs).toEqual([]);
    expect(fs.readdirSync(path.join(rootDir, 'leakwatch-report'))).toEqual(['custom.json']);
  });

  it('names outputs per shard with {shardIndex} and {shardCount}', () => {
    const reporter = new LeakwatchReporter(
      {rootDir, shard: {shardIndex: 2, shardCount: 3}} as Config.GlobalConfig,
      {hangDiagnosis: false, quiet: true, json: 'leakwatch-{shardIndex}-of-{shardCount}.json', junit: 'junit-{shardIndex}.xml', html: false},
      undefined,
      {env: {}},
    );
    reporter.onRunComplete();
    expect(fs.readdirSync(path.join(rootDir, 'leakwatch-report')).sort()).toEqual(['junit-2.xml', 'leakwatch-2-of-3.json']);
  });

  it('is deterministic: same input gives the same bytes', () => {
    const outputs: string[] = [];
    for (let run = 0; run < 2; run++) {
      const {reporter, env} = makeReporter({html: false});
      writeSidecar(env[RUN_DIR_ENV] as string, sidecarFor('b.test.ts', [finding()]));
      reporter.onTestFileResult(fakeTest('z.test.ts'), fakeResult('z.test.ts'));
      reporter.onTestFileResult(fakeTest('b.test.ts'), fakeResult('b.test.ts'));
      reporter.onRunComplete();
      outputs.push(
        fs.readFileSync(path.join(rootDir, 'leakwatch-report', 'leakwatch.json'), 'utf8') +
          fs.readFileSync(path.join(rootDir, 'leakwatch-report', 'junit.xml'), 'utf8'),
      );
    }
    expect(outputs[1]).toBe(outputs[0]);
  });

  it('adds the hang diagnosis to the reports and the terminal', async () => {
    const logs: string[] = [];
    const main = finding({id: 'main:1:TCPSERVERWRAP', kind: 'server', scope: 'file', scopePath: [], resourceType: 'TCPSERVERWRAP', message: 'keeps Jest alive', location: {file: 'global-setup.js', line: 4, column: 0}, stack: ['global-setup.js:4']});
    const env: NodeJS.ProcessEnv = {};
    const reporter = new LeakwatchReporter({rootDir} as Config.GlobalConfig, {html: false}, undefined, {
      env,
      log: message => logs.push(message),
      color: false,
      cwd: rootDir,
      startHangCapture: () => ({collect: async () => [main]}),
    });
    reporter.onRunComplete();
    expect(readReport().mainProcess).toBeUndefined();
    await expect(reporter.diagnoseHang()).resolves.toEqual([main]);
    const report = readReport();
    expect(report.mainProcess?.findings).toEqual([main]);
    expect(validate(report)).toBe(true);
    expect(fs.readFileSync(path.join(rootDir, 'leakwatch-report', 'junit.xml'), 'utf8')).toContain('name="(main process)"');
    expect(logs[logs.length - 1]).toContain('1 handle keeps the main Jest process alive:');
    expect(logs[logs.length - 1]).toContain('TCPSERVERWRAP  at global-setup.js:4:0');
  });
});
