/**
 * Runs the real Jest CLI of one scratch project (test/.work/jest<major>/) on a copy of a
 * fixture project from test/e2e/<scenario>/, like Jest's own e2e/runJest.ts.
 */
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunReport} from '@leakwatch/core';
import {REPO_ROOT, projectDir, type JestMajor} from './workspace';
import {validateReport} from './schema';

export const E2E_DIR = path.join(REPO_ROOT, 'test/e2e');

export interface RunJestOptions {
  major: JestMajor;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Distinguishes copies of the same scenario run side by side (e.g. `w2`, `i`). */
  label?: string;
  /** Kill Jest after this long. @default 90000 */
  timeoutMs?: number;
}

export interface RunJestResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Normalized: rootDir → `<rootDir>`, timings stripped, CRLF → LF. */
  stdout: string;
  stderr: string;
  rawStdout: string;
  rawStderr: string;
  /** Parsed `leakwatch-report/leakwatch.json`, validated against the schema; undefined if absent. */
  report: RunReport | undefined;
  junitXml: string | undefined;
  /** Pids of processes still running in the scenario copy after Jest exited (now killed). */
  strayProcesses: number[];
  /** Absolute path of the copy Jest ran in (its rootDir). */
  dir: string;
  durationMs: number;
}

let counter = 0;

/** Copies test/e2e/<scenario> into the scratch project of `major` and returns the copy. */
export function copyScenario(scenario: string, major: JestMajor, label?: string): string {
  const source = path.join(E2E_DIR, scenario);
  if (!fs.existsSync(path.join(source, 'package.json'))) {
    throw new Error(`No e2e scenario at ${source} (expected a package.json there)`);
  }
  const name = `${scenario}.${label ?? `run${process.pid}-${++counter}`}`;
  const target = path.join(projectDir(major), 'scenarios', name);
  fs.rmSync(target, {recursive: true, force: true});
  fs.cpSync(source, target, {recursive: true, filter: src => !/[\\/](node_modules|leakwatch-report)$/.test(src)});
  return target;
}

function realpath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

export function normalizeOutput(text: string, dir: string): string {
  let out = text.replace(/\r\n/g, '\n');
  out = out.split(realpath(dir)).join('<rootDir>').split(dir).join('<rootDir>');
  out = out.split(projectDir(30)).join('<project>').split(projectDir(29)).join('<project>');
  out = out
    .replace(/\(\d+(\.\d+)? ?m?s\)/g, '')
    .replace(/^(Time:\s+).*$/gm, '$1<<REPLACED>>');
  return out;
}

export async function runJest(scenario: string, options: RunJestOptions): Promise<RunJestResult> {
  const {major, args = [], env = {}, label, timeoutMs = 90_000} = options;
  const dir = copyScenario(scenario, major, label);
  const jestBin = path.join(projectDir(major), 'node_modules/jest/bin/jest.js');
  const childEnv: Record<string, string | undefined> = {...process.env};
  // Nothing from the Jest (and Leakwatch reporter) running this suite may leak into the child.
  for (const key of Object.keys(childEnv)) {
    if (/^(JEST_|LEAKWATCH_)/.test(key) || key === 'NODE_OPTIONS') delete childEnv[key];
  }
  Object.assign(childEnv, {NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', NODE_ENV: 'test'}, env);
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const started = Date.now();
  // A fresh cacheDirectory per run: Jest runs files in band when cached timings say
  // they are fast, which would silently turn a `-w 2` run into an in-band one.
  const fullArgs = [jestBin, `--cacheDirectory=${path.join(dir, '.jest-cache')}`, ...args];
  // Own process group, so a hung run can be killed with everything it started.
  const child = spawn(process.execPath, fullArgs, {cwd: dir, env: childEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let rawStdout = '';
  let rawStderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (rawStdout += chunk));
  let hangTimer: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    rawStderr += chunk;
    // Jest says so when something keeps it alive after the run; it would wait forever.
    if (!hangTimer && rawStderr.includes('Jest did not exit one second after the test run has completed')) {
      hangTimer = setTimeout(killGroup, 3000);
    }
  });
  const timer = setTimeout(killGroup, timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  }).finally(() => {
    clearTimeout(timer);
    clearTimeout(hangTimer);
  });
  const durationMs = Date.now() - started;
  const strays = killStrayProcesses(dir);
  if (strays.length) rawStderr += `\n[runJest] killed ${strays.length} process(es) still running in ${dir} after Jest exited: ${strays.join(', ')}\n`;
  if (signal === 'SIGKILL') rawStderr += `\n[runJest] killed after ${durationMs} ms${hangTimer ? ' (Jest did not exit)' : ''}\n`;

  const reportFile = path.join(dir, 'leakwatch-report/leakwatch.json');
  let report: RunReport | undefined;
  if (fs.existsSync(reportFile)) {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as RunReport;
    validateReport(report, reportFile);
  }
  const junitFile = path.join(dir, 'leakwatch-report/junit.xml');
  const junitXml = fs.existsSync(junitFile) ? fs.readFileSync(junitFile, 'utf8') : undefined;
  return {
    exitCode,
    signal,
    stdout: normalizeOutput(rawStdout, dir),
    stderr: normalizeOutput(rawStderr, dir),
    rawStdout,
    rawStderr,
    report,
    junitXml,
    strayProcesses: strays,
    dir,
    durationMs,
  };
}

/**
 * Processes a fixture started and nobody stopped (e.g. leaked children under the stock
 * environment, or after a hung run) would outlive the suite; they are found by their
 * working directory, which is inside the scenario copy, and killed by pid.
 */
export function killStrayProcesses(dir: string): number[] {
  if (process.platform !== 'linux') return [];
  const killed: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      continue;
    }
    if (cwd === dir || cwd.startsWith(`${dir}${path.sep}`)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
        killed.push(Number(entry));
      } catch {
        // exited meanwhile
      }
    }
  }
  return killed;
}

/** One line for a failed expectation: what Jest printed, trimmed. */
export function describeRun(result: RunJestResult): string {
  const tail = (text: string) => text.split('\n').slice(-80).join('\n');
  return `exit ${result.exitCode}${result.signal ? ` (${result.signal})` : ''} in ${result.dir}\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`;
}
