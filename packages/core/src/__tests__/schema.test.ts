import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import {FINDING_KINDS, type Finding, type RunReport} from '../model';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'run-report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false}).compile<RunReport>(schema);

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'src/a.test.ts:test:timer:1',
    kind: 'timer',
    severity: 'error',
    scope: 'test',
    scopePath: ['A', 'leaks'],
    resourceType: 'Timeout',
    message: 'setInterval still pending',
    location: {file: 'src/a.ts', line: 3, column: 5},
    stack: ['start (src/a.ts:3:5)'],
    details: {delayMs: 1000},
    ...overrides,
  };
}

function sample(): RunReport {
  return {
    schemaVersion: 1,
    tool: {name: '@leakwatch/jest-reporter', version: '0.1.0'},
    startedAt: '2026-11-27T12:00:00.000Z',
    durationMs: 1200,
    rootDir: '/repo',
    jest: {version: '30.5.2'},
    node: {version: 'v20.20.2'},
    options: {reporter: {outputDir: 'leakwatch-report'}},
    summary: {files: 2, tests: 2, passed: 1, failed: 1, skipped: 0, findings: 1, byKind: {timer: 1}, bySeverity: {error: 1, warn: 0, info: 0}, filesWithLeaks: 1},
    files: [
      {
        path: 'src/a.test.ts',
        status: 'failed',
        durationMs: 300,
        memory: {heapBeforeBytes: 1, heapAfterBytes: 2, growthBytes: 1, samples: [{label: 'after', heapUsedBytes: 2}], topGrowth: [{constructor: 'Map', count: 1, bytes: 64}]},
        findings: [],
        tests: [{titlePath: ['A', 'leaks'], fullName: 'A leaks', status: 'failed', durationMs: 3, retries: 0, findings: [finding()], failureMessages: ['leak'], location: {line: 4, column: 3}}],
        instrumented: true,
        leakStatus: 'leaks',
        warnings: [],
      },
      {path: 'src/b.test.ts', status: 'error', error: 'Test suite failed to run', durationMs: 0, findings: [], tests: [], instrumented: false, leakStatus: 'unknown', warnings: ['no sidecar']},
    ],
    mainProcess: {findings: [finding({id: 'main:1:TCPSERVERWRAP', kind: 'server', scope: 'file', scopePath: [], resourceType: 'TCPSERVERWRAP'})]},
    warnings: [],
    status: 'failed',
  };
}

function errorsOf(value: unknown): string[] {
  validate(value);
  return (validate.errors ?? []).map(error => `${error.instancePath} ${error.message ?? ''}`);
}

describe('run-report.schema.json', () => {
  it('accepts a complete report', () => {
    expect(errorsOf(sample())).toEqual([]);
  });

  it('accepts every finding kind and rejects an unknown one', () => {
    for (const kind of FINDING_KINDS) {
      const report = sample();
      report.files[0]!.tests[0]!.findings = [finding({kind})];
      expect(errorsOf(report)).toEqual([]);
    }
    const report = sample() as unknown as {files: Array<{findings: unknown[]}>};
    report.files[0]!.findings = [{...finding(), kind: 'promise'}];
    expect(errorsOf(report)).toContain('/files/0/findings/0/kind must be equal to one of the allowed values');
  });

  it('rejects an uninstrumented file that claims to be clean', () => {
    const report = sample();
    report.files[1]!.leakStatus = 'clean';
    expect(errorsOf(report)).toContain('/files/1/leakStatus must be equal to constant');
  });

  it('requires the error text of a file that failed to run', () => {
    const report = sample();
    delete report.files[1]!.error;
    expect(errorsOf(report)).toContain("/files/1 must have required property 'error'");
  });

  it('rejects unknown top-level keys, a wrong schemaVersion and negative durations', () => {
    expect(errorsOf({...sample(), extra: 1})).toContain(' must NOT have additional properties');
    expect(errorsOf({...sample(), schemaVersion: 2})).toContain('/schemaVersion must be equal to constant');
    expect(errorsOf({...sample(), durationMs: -1})).toContain('/durationMs must be >= 0');
  });
});
