/**
 * Expectations about leakwatch.json, keyed by `// LEAK:<id>` markers in fixture sources,
 * so no assertion hard-codes a line number.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {FileRecord, Finding, RunReport, TestRecord} from '@leakwatch/core';
import {E2E_DIR} from './runJest';

export interface Marker {
  id: string;
  /** Relative to the scenario root, `/` separators: what the report's paths are relative to. */
  file: string;
  line: number;
  /** The source line, trimmed. */
  text: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    if (entry.name === 'node_modules' || entry.name === 'leakwatch-report' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(c|m)?[jt]sx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every `// LEAK:<id>` marker of a scenario; ids are unique per scenario. */
export function leakMarkers(scenario: string): Map<string, Marker> {
  const root = path.join(E2E_DIR, scenario);
  const markers = new Map<string, Marker>();
  for (const file of walk(root)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const match of text.matchAll(/LEAK:([\w./-]+)/g)) {
        const id = match[1]!;
        if (markers.has(id)) throw new Error(`Duplicate marker LEAK:${id} in ${scenario}`);
        markers.set(id, {id, file: path.relative(root, file).split(path.sep).join('/'), line: index + 1, text: text.trim()});
      }
    });
  }
  return markers;
}

export interface LocatedFinding {
  finding: Finding;
  file: FileRecord;
  /** The test record it is listed under; undefined for describe/file scope. */
  test?: TestRecord;
}

/** Every finding of a report with where it is listed. */
export function allFindings(report: RunReport): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const file of report.files) {
    for (const finding of file.findings) out.push({finding, file});
    for (const test of file.tests) for (const finding of test.findings) out.push({finding, file, test});
  }
  return out;
}

export function findingsAt(report: RunReport, marker: Marker): LocatedFinding[] {
  return allFindings(report).filter(
    ({finding}) => finding.location?.file === marker.file && finding.location.line === marker.line,
  );
}

export interface ExpectedLeak {
  /** Marker id: `// LEAK:<id>` on the creating line. */
  id: string;
  kind: Finding['kind'];
  scope: Finding['scope'];
  /** describe/test titles; `[]` for file scope. */
  scopePath: string[];
  severity?: Finding['severity'];
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** One line per finding, for messages. */
export function describeFinding({finding, test}: LocatedFinding): string {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : '(no location)';
  return `${finding.severity} ${finding.kind} ${finding.scope} [${finding.scopePath.join(' > ')}] ${finding.resourceType} at ${where}${
    test ? ` (listed under test "${test.titlePath.join(' > ')}")` : ' (listed under the file)'
  }`;
}

/**
 * Problems with one expected leak, or [] when the report has exactly one finding at its
 * marker, with the expected kind, scope, scopePath, severity, listed in the right place.
 */
export function checkLeak(report: RunReport, markers: Map<string, Marker>, expected: ExpectedLeak): string[] {
  const marker = markers.get(expected.id);
  if (!marker) return [`no marker LEAK:${expected.id} in the fixture`];
  const found = findingsAt(report, marker);
  const label = `LEAK:${expected.id} (${marker.file}:${marker.line} \`${marker.text}\`)`;
  if (found.length === 0) return [`${label}: no finding at this line; expected ${expected.severity ?? 'error'} ${expected.kind} in scope ${expected.scope} [${expected.scopePath.join(' > ')}]`];
  if (found.length > 1) return [`${label}: ${found.length} findings at this line, expected one:\n    ${found.map(describeFinding).join('\n    ')}`];
  const located = found[0]!;
  const {finding, test} = located;
  const problems: string[] = [];
  if (finding.kind !== expected.kind) problems.push(`kind ${finding.kind}, expected ${expected.kind}`);
  if (finding.scope !== expected.scope) problems.push(`scope ${finding.scope}, expected ${expected.scope}`);
  if (JSON.stringify(finding.scopePath) !== JSON.stringify(expected.scopePath)) {
    problems.push(`scopePath ${JSON.stringify(finding.scopePath)}, expected ${JSON.stringify(expected.scopePath)}`);
  }
  const severity = expected.severity ?? 'error';
  if (finding.severity !== severity) problems.push(`severity ${finding.severity}, expected ${severity}`);
  if (expected.scope === 'test') {
    if (!test) problems.push('listed under the file, expected under its test');
    else if (JSON.stringify(test.titlePath) !== JSON.stringify(expected.scopePath)) {
      problems.push(`listed under test ${JSON.stringify(test.titlePath)}, expected ${JSON.stringify(expected.scopePath)}`);
    }
  } else if (test) {
    problems.push(`listed under test ${JSON.stringify(test.titlePath)}, expected under the file`);
  }
  if (!(typeof finding.location?.column === 'number' && finding.location.column > 0)) problems.push('location.column missing');
  if (!finding.message) problems.push('empty message');
  if (!finding.resourceType) problems.push('empty resourceType');
  if (!Array.isArray(finding.stack) || finding.stack.length === 0) problems.push('empty stack');
  else if (!finding.stack.some(frame => frame.includes(`${marker.file}:${marker.line}:`))) {
    problems.push(`stack does not contain ${marker.file}:${marker.line}: ${JSON.stringify(finding.stack.slice(0, 4))}`);
  }
  return problems.length ? [`${label}: ${describeFinding(located)}\n    ${problems.join('\n    ')}`] : [];
}

/**
 * Problems with a test-scoped error: its test must have failed with a message that says
 * "leaked" and points at the creating line.
 */
export function checkTestFailure(report: RunReport, markers: Map<string, Marker>, expected: ExpectedLeak): string[] {
  const marker = markers.get(expected.id)!;
  const test = findTest(report, marker.file, expected.scopePath);
  const label = `LEAK:${expected.id}`;
  if (!test) return [`${label}: no test ${JSON.stringify(expected.scopePath)} in ${marker.file}`];
  const problems: string[] = [];
  if (test.status !== 'failed') problems.push(`test status ${test.status}, expected failed`);
  const messages = stripAnsi(test.failureMessages.join('\n'));
  if (!/leaked/.test(messages)) problems.push('no failure message says "leaked"');
  if (!messages.includes(`${marker.file}:${marker.line}:`)) problems.push(`failure message does not point at ${marker.file}:${marker.line}`);
  return problems.length ? [`${label} (test "${expected.scopePath.join(' > ')}"): ${problems.join('; ')}\n    ${messages.split('\n').slice(0, 12).join('\n    ')}`] : [];
}

export function findTest(report: RunReport, file: string, titlePath: string[]): TestRecord | undefined {
  return report.files.find(f => f.path === file)?.tests.find(t => JSON.stringify(t.titlePath) === JSON.stringify(titlePath));
}

/** Findings not accounted for by any expected leak. */
export function unexpectedFindings(report: RunReport, markers: Map<string, Marker>, expected: ExpectedLeak[]): string[] {
  const wanted = expected.map(e => markers.get(e.id)).filter((m): m is Marker => m !== undefined);
  return allFindings(report)
    .filter(({finding}) => !wanted.some(m => finding.location?.file === m.file && finding.location.line === m.line))
    .map(describeFinding);
}

/** Jest prints a code frame like `> 12 |   setInterval(...)` for the creating line. */
export function hasCodeFrame(output: string, marker: Marker): boolean {
  return output.split('\n').some(line => new RegExp(`^\\s*>\\s*${marker.line}\\s*\\|`).test(line) && line.includes(marker.text.slice(0, 20)));
}

export const EXIT_PROBLEMS = /did not exit one second|failed to exit gracefully|open handles? potentially keeping Jest from exiting|Force exiting Jest/;
