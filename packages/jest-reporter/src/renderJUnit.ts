import type {FileRecord, Finding, RunReport, TestRecord} from '@leakwatch/core';
import {fileFindings} from './buildReport';
import type {JUnitProfile} from './options';
import {oneLine, serializeXml, type XmlElement} from './xml';

export interface JUnitOptions {
  profile: JUnitProfile;
  suiteNameTemplate: string;
  classNameTemplate: string;
  /** `<testsuites name>`. */
  title: string;
  /** File name of the HTML report (relative to the XML), for links in failure bodies. */
  htmlFile?: string;
}

export const DEFAULT_JUNIT_OPTIONS: JUnitOptions = {
  profile: 'strict',
  suiteNameTemplate: '{filepath}',
  classNameTemplate: '{describe}',
  title: 'Leakwatch report',
};

const BODY_MAX = 64 * 1024;
const FRAMES_PER_FINDING = 20;
const SEPARATOR = ' › ';

/** Seconds with at most three decimals, never negative or NaN (Azure and junit-10.xsd reject those). */
export function formatSeconds(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return (safe / 1000).toFixed(3);
}

/** UTC, seconds, no zone: what Jenkins, Azure and the Ant schema expect. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 19);
}

/**
 * Fills `{name}` placeholders by splitting, never with `String.replace`, so `$&` in a title
 * stays `$&`. Unknown placeholders are left as written.
 */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf('{');
    if (open < 0) break;
    const close = rest.indexOf('}', open);
    if (close < 0) break;
    const name = rest.slice(open + 1, close);
    out.push(rest.slice(0, open));
    out.push(Object.prototype.hasOwnProperty.call(vars, name) ? (vars[name] as string) : rest.slice(open, close + 1));
    rest = rest.slice(close + 1);
  }
  out.push(rest);
  return out.join('');
}

function fileName(filePath: string): string {
  const slash = filePath.lastIndexOf('/');
  return slash < 0 ? filePath : filePath.slice(slash + 1);
}

function locationText(finding: Finding): string {
  return finding.location ? `${finding.location.file}:${finding.location.line}` : finding.resourceType;
}

/** The first line of Jest's failure message up to its first colon, e.g. `Error`, `TypeError`. */
function failureType(message: string): string {
  const match = /^\s*([A-Za-z_$][\w$.]*)(?=:)/.exec(message);
  return match?.[1] ?? 'Error';
}

function findingBody(finding: Finding, owner: string, index: number, htmlFile: string | undefined): string {
  const lines = [
    `Resource leak (${finding.kind}, severity ${finding.severity}, ${finding.scope} scope) left by ${owner}`,
    '',
    `[${index}] ${finding.resourceType}: ${finding.message}`,
  ];
  const frames = finding.stack.slice(0, FRAMES_PER_FINDING);
  for (const frame of frames) lines.push(`    at ${frame}`);
  if (finding.stack.length > frames.length) lines.push(`    … ${finding.stack.length - frames.length} more frames`);
  const details = Object.keys(finding.details).sort();
  if (details.length > 0) {
    lines.push('', 'Details:');
    for (const key of details) lines.push(`  ${key}: ${stringifyDetail(finding.details[key])}`);
  }
  if (htmlFile) lines.push('', `Report: ${htmlFile}#finding=${encodeURIComponent(finding.id)}`);
  return lines.join('\n');
}

function stringifyDetail(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Keeps testcase identities (classname + name) unique inside a suite: ` (2)`, ` (3)`, … */
class UniqueNames {
  private readonly seen = new Map<string, number>();
  take(classname: string, name: string): string {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name} (${n})`;
      const key = `${classname}\0${candidate}`;
      if (!this.seen.has(key)) {
        this.seen.set(key, 1);
        return candidate;
      }
    }
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function renderSuite(file: FileRecord, options: JUnitOptions, timestamp: string, counts: Counts): XmlElement {
  const rich = options.profile === 'rich';
  const names = new UniqueNames();
  const fileVars = {filepath: file.path, filename: fileName(file.path)};
  const classname = (describe: readonly string[], title: string): string => {
    const value = fillTemplate(options.classNameTemplate, {...fileVars, describe: describe.join(SEPARATOR), title});
    return value.trim() === '' ? file.path : value;
  };
  const testcases: XmlElement[] = [];
  const suite: Counts = {tests: 0, failures: 0, errors: 0, skipped: 0};
  const richAttrs = (line: number | undefined): Array<[string, string | number | undefined]> =>
    rich ? [['file', file.path], ['line', line]] : [];

  const leakCase = (finding: Finding, owner: string, cls: string, baseName: string, index: number): void => {
    const name = names.take(cls, `${baseName} [leak: ${finding.kind} at ${locationText(finding)}]`);
    const message = oneLine(`${finding.kind} leaked by ${owner}: ${finding.message} (${locationText(finding)})`);
    suite.tests++;
    suite.failures++;
    testcases.push({
      name: 'testcase',
      attributes: [['classname', cls], ['name', name], ['time', '0.000'], ...richAttrs(finding.location?.line)],
      children: [
        {
          name: 'failure',
          attributes: [['type', `ResourceLeak.${finding.kind}`], ['message', message]],
          text: findingBody(finding, owner, index, options.htmlFile),
        },
      ],
    });
  };

  if (file.error !== undefined) {
    const name = names.take('(file)', `${file.path} [${file.tests.length === 0 ? 'suite failed to run' : 'file error'}]`);
    suite.tests++;
    suite.errors++;
    testcases.push({
      name: 'testcase',
      attributes: [['classname', '(file)'], ['name', name], ['time', '0.000'], ...richAttrs(undefined)],
      children: [{name: 'error', attributes: [['type', 'TestSuiteError'], ['message', oneLine(file.error)]], text: file.error}],
    });
  }

  file.tests.forEach((test: TestRecord) => {
    const describe = test.titlePath.slice(0, -1);
    const title = test.titlePath[test.titlePath.length - 1] ?? test.fullName;
    const cls = classname(describe, title);
    const name = names.take(cls, test.fullName);
    const children: XmlElement[] = [];
    suite.tests++;
    if (test.status === 'failed') {
      suite.failures++;
      const body = test.failureMessages.join('\n\n') || 'Test failed (no message from Jest)';
      children.push({
        name: 'failure',
        attributes: [['type', failureType(body)], ['message', oneLine(body)]],
        text: body,
      });
    } else if (test.status === 'skipped' || test.status === 'todo') {
      suite.skipped++;
      children.push({name: 'skipped', attributes: [['message', test.status === 'todo' ? 'todo' : 'skipped']]});
    }
    testcases.push({
      name: 'testcase',
      attributes: [['classname', cls], ['name', name], ['time', formatSeconds(test.durationMs)], ...richAttrs(test.location?.line)],
      children,
    });
    test.findings
      .filter(finding => finding.severity === 'error')
      .forEach((finding, index) => leakCase(finding, `test "${test.fullName}"`, cls, name, index + 1));
  });

  file.findings
    .filter(finding => finding.severity === 'error')
    .forEach((finding, index) => {
      const owner = finding.scope === 'file' || finding.scopePath.length === 0 ? `file ${file.path}` : `describe "${finding.scopePath.join(SEPARATOR)}"`;
      const base = finding.scope === 'file' || finding.scopePath.length === 0 ? file.path : finding.scopePath.join(SEPARATOR);
      const cls = finding.scope === 'file' || finding.scopePath.length === 0 ? '(file)' : classname(finding.scopePath, '');
      leakCase(finding, owner, cls, base, index + 1);
    });

  counts.tests += suite.tests;
  counts.failures += suite.failures;
  counts.errors += suite.errors;
  counts.skipped += suite.skipped;

  const all = fileFindings(file);
  const properties: Array<[string, string]> = [
    ['leakwatch.schemaVersion', '1'],
    ['leakwatch.instrumented', String(file.instrumented)],
    ['leakwatch.leakStatus', file.leakStatus],
    ['leakwatch.findings', String(all.length)],
  ];
  const byKind = new Map<string, number>();
  for (const finding of all) byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);
  for (const kind of [...byKind.keys()].sort()) properties.push([`leakwatch.findings.${kind}`, String(byKind.get(kind))]);
  if (file.memory) {
    properties.push(['leakwatch.memory.growthBytes', String(file.memory.growthBytes)]);
    if (file.memory.retainedAfterTeardownBytes !== undefined) {
      properties.push(['leakwatch.memory.retainedAfterTeardownBytes', String(file.memory.retainedAfterTeardownBytes)]);
    }
  }
  const deltas = file.tests.map(test => test.memoryDeltaBytes).filter((value): value is number => value !== undefined);
  if (deltas.length > 0) properties.push(['leakwatch.memory.testDeltaBytes.max', String(Math.max(...deltas))]);
  if (options.htmlFile) properties.push(['leakwatch.report', `${options.htmlFile}#file=${encodeURIComponent(file.path)}`]);

  return {
    name: 'testsuite',
    attributes: [
      ['name', fillTemplate(options.suiteNameTemplate, fileVars)],
      ['tests', suite.tests],
      ['failures', suite.failures],
      ['errors', suite.errors],
      ['skipped', suite.skipped],
      ['time', formatSeconds(file.durationMs)],
      ['timestamp', timestamp],
      ...(rich ? ([['file', file.path]] as Array<[string, string]>) : []),
    ],
    children: [
      {name: 'properties', children: properties.map(([name, value]) => ({name: 'property', attributes: [['name', name], ['value', value]]}))},
      ...testcases,
    ],
  };
}

/**
 * JUnit XML for CI. One `<testsuite>` per file; each Jest test one `<testcase>`; each
 * error-severity finding one extra failing `<testcase>` named `… [leak: kind at file:line]`
 * next to the test (or describe/file) that caused it; a file that failed to run one `<error>`
 * testcase. Counts are recomputed from what is emitted.
 */
export function renderJUnit(report: RunReport, options: JUnitOptions = DEFAULT_JUNIT_OPTIONS): string {
  const counts: Counts = {tests: 0, failures: 0, errors: 0, skipped: 0};
  const timestamp = formatTimestamp(report.startedAt);
  const suites = report.files.map(file => renderSuite(file, options, timestamp, counts));
  const mainFindings = report.mainProcess?.findings ?? [];
  if (mainFindings.length > 0) {
    const cases: XmlElement[] = mainFindings.map((finding, index) => ({
      name: 'testcase',
      attributes: [
        ['classname', '(main process)'],
        ['name', `Jest main process [leak: ${finding.kind} at ${locationText(finding)}]${index > 0 ? ` (${index + 1})` : ''}`],
        ['time', '0.000'],
      ],
      children: [
        {
          name: 'failure',
          attributes: [['type', `ResourceLeak.${finding.kind}`], ['message', oneLine(`keeps Jest from exiting: ${finding.message} (${locationText(finding)})`)]],
          text: findingBody(finding, 'the main Jest process (globalSetup, a reporter or a plugin)', index + 1, options.htmlFile),
        },
      ],
    }));
    counts.tests += cases.length;
    counts.failures += cases.length;
    suites.push({
      name: 'testsuite',
      attributes: [
        ['name', '(main process)'],
        ['tests', cases.length],
        ['failures', cases.length],
        ['errors', 0],
        ['skipped', 0],
        ['time', '0.000'],
        ['timestamp', timestamp],
      ],
      children: cases,
    });
  }
  return serializeXml({
    name: 'testsuites',
    attributes: [
      ['name', options.title],
      ['tests', counts.tests],
      ['failures', counts.failures],
      ['errors', counts.errors],
      ['time', formatSeconds(report.durationMs)],
    ],
    children: suites,
  });
}
