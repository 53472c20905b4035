import type {Finding, RunReport} from '@leakwatch/core';

export interface TerminalSummaryOptions {
  color: boolean;
  /** Files written, as they should be shown (relative to cwd). */
  written?: readonly string[];
  /** How many findings to list. @default 10 */
  top?: number;
}

const CODES = {red: [31, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], green: [32, 39]} as const;
type Style = keyof typeof CODES;

// Titles come from user code: control characters must not reach the terminal as such.
function safe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\r?\n/g, ' ');
}

function where(finding: Finding): string {
  return finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : finding.resourceType;
}

type Paint = (style: Style, text: string) => string;

function mainProcessLines(main: readonly Finding[], paint: Paint, top: number): string[] {
  if (main.length === 0) return [];
  const lines = [paint('red', `  ${main.length} handle${main.length === 1 ? '' : 's'} keep${main.length === 1 ? 's' : ''} the main Jest process alive:`)];
  for (const finding of main.slice(0, top)) {
    const origin = finding.location ? `at ${where(finding)}` : finding.message;
    lines.push(`    ${safe(finding.resourceType)}  ${paint('dim', safe(origin))}`);
    for (const frame of finding.stack.slice(0, 3)) lines.push(paint('dim', `      at ${safe(frame)}`));
  }
  return lines;
}

/** What the hang diagnosis prints when the main process did not exit. Pure. */
export function renderHangSummary(findings: readonly Finding[], options: {color: boolean; written?: readonly string[]}): string {
  const paint: Paint = (style, text) => (options.color ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text);
  const lines = [`${paint('bold', 'Leakwatch:')} Jest has not exited after the run.`, ...mainProcessLines(findings, paint, 10)];
  if (options.written && options.written.length > 0) lines.push(`  Reports updated: ${options.written.map(safe).join(', ')}`);
  return lines.join('\n');
}

/** The lines printed after Jest's own summary. Pure: the caller logs them. */
export function renderTerminalSummary(report: RunReport, options: TerminalSummaryOptions): string {
  const paint: Paint = (style, text) =>
    options.color ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text;
  const top = options.top ?? 10;
  const lines: string[] = [];
  const {summary} = report;
  const kinds = Object.entries(summary.byKind).map(([kind, count]) => `${kind} ${count}`);
  const unknown = report.files.filter(file => file.leakStatus === 'unknown').length;
  const head =
    summary.findings === 0
      ? paint('green', 'no leaks found')
      : paint(summary.bySeverity.error > 0 ? 'red' : 'yellow', `${summary.findings} finding${summary.findings === 1 ? '' : 's'}`) +
        ` in ${summary.filesWithLeaks} of ${summary.files} file${summary.files === 1 ? '' : 's'} (${kinds.join(', ')})`;
  lines.push(`${paint('bold', 'Leakwatch:')} ${head}`);
  if (unknown > 0) {
    lines.push(paint('yellow', `  ${unknown} file${unknown === 1 ? '' : 's'} not watched (leak status unknown: other test environment, failed to run or crashed worker)`));
  }
  const listed: string[] = [];
  let total = 0;
  for (const file of report.files) {
    for (const finding of file.findings) {
      total++;
      if (listed.length < top) {
        const owner = finding.scopePath.length > 0 ? finding.scopePath.join(' › ') : '(file)';
        listed.push(`${finding.kind}  ${file.path} › ${owner}  ${paint('dim', `at ${where(finding)}`)}`);
      }
    }
    for (const test of file.tests) {
      for (const finding of test.findings) {
        total++;
        if (listed.length < top) listed.push(`${finding.kind}  ${file.path} › ${test.titlePath.join(' › ')}  ${paint('dim', `at ${where(finding)}`)}`);
      }
    }
  }
  for (const line of listed) lines.push(`  ${paint('red', '●')} ${safe(line)}`);
  if (total > listed.length) lines.push(paint('dim', `  … and ${total - listed.length} more (see the report)`));
  lines.push(...mainProcessLines(report.mainProcess?.findings ?? [], paint, top));
  for (const warning of (report.warnings ?? []).slice(0, 5)) lines.push(paint('yellow', `  warning: ${safe(warning)}`));
  if (options.written && options.written.length > 0) lines.push(`  Reports: ${options.written.map(safe).join(', ')}`);
  return lines.join('\n');
}
