import * as fs from 'node:fs';
import * as path from 'node:path';
import type {AggregatedResult, Config, Reporter, ReporterContext, Test, TestContext, TestResult} from '@jest/reporters';
import {RUN_DIR_ENV, acceptSidecarsInProcess, readSidecar, reporterRunDir, sidecarPath, type FileRecord, type Finding, type RunReport} from '@leakwatch/core';
import {buildFileRecord, buildRunReport, relativePath, type JestFileResultLike} from './buildReport';
import {startHangCapture, type HangCapture} from './hangDiagnosis';
import {resolveReporterOptions, type ResolvedReporterOptions} from './options';
import {renderHtml} from './renderHtml';
import {fillTemplate, renderJUnit} from './renderJUnit';
import {renderJson} from './renderJson';
import {renderHangSummary, renderTerminalSummary} from './renderTerminalSummary';
import {writeOutputs, type OutputFile} from './writeOutputs';

/** Seams for tests; Jest passes none of these. */
export interface ReporterDeps {
  /** Wall clock in ms since the epoch. */
  now?: () => number;
  /** The one logger: every terminal line goes through it. @default process.stderr */
  log?: (message: string) => void;
  /** Where options are overridden from and the run directory is published. @default process.env */
  env?: NodeJS.ProcessEnv;
  color?: boolean;
  /** HTML client bundle source; read from dist/client.bundle.js when absent. */
  clientBundle?: string;
  /** Replaces why-is-node-running (tests). */
  startHangCapture?: () => HangCapture;
  cwd?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function toolVersion(): string {
  const pkg = readJson(path.join(__dirname, '..', 'package.json'));
  return typeof pkg?.version === 'string' ? pkg.version : 'unknown';
}

function jestVersion(rootDir: string): string {
  for (const name of ['jest/package.json', '@jest/core/package.json']) {
    for (const from of [rootDir, __dirname]) {
      try {
        const pkg = readJson(require.resolve(name, {paths: [from]}));
        if (typeof pkg?.version === 'string') return pkg.version;
      } catch {
        // not resolvable from here; try the next place
      }
    }
  }
  return 'unknown';
}

/** Reads the HTML client built by `npm run build:client`. */
export function loadClientBundle(dir: string = __dirname): string | undefined {
  for (const candidate of [path.join(dir, 'client.bundle.js'), path.join(dir, '..', 'dist', 'client.bundle.js')]) {
    try {
      return fs.readFileSync(candidate, 'utf8');
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/**
 * Jest reporter: merges each file's Jest result with the sidecar the Leakwatch environment
 * wrote, then writes leakwatch.json, junit.xml and report.html and prints a short summary.
 * No hook throws; problems become `warnings` in the report.
 */
export class LeakwatchReporter implements Reporter {
  readonly options: ResolvedReporterOptions;
  private readonly rootDir: string;
  private readonly shard: {shardIndex: number; shardCount: number};
  private readonly runDir: string;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly color: boolean;
  private readonly deps: ReporterDeps;
  private readonly files: FileRecord[] = [];
  private readonly warnings: string[] = [];
  private environmentOptions: {path: string; options: Record<string, unknown>} | undefined;
  private startedAt: number;
  private hangCapture: HangCapture | undefined;
  private lastError: Error | undefined;
  private lastReport: RunReport | undefined;
  private hangTimer: NodeJS.Timeout | undefined;

  constructor(globalConfig: Config.GlobalConfig, options?: unknown, _context?: ReporterContext, deps: ReporterDeps = {}) {
    const env = deps.env ?? process.env;
    this.deps = deps;
    this.rootDir = globalConfig.rootDir;
    this.shard = globalConfig.shard ?? {shardIndex: 1, shardCount: 1};
    // Invalid options are a configuration error: Jest shows it before running anything.
    this.options = resolveReporterOptions(options, env, this.rootDir);
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((message: string) => void process.stderr.write(`${message}\n`));
    this.color = deps.color ?? (Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined);
    this.startedAt = this.now();
    this.runDir = reporterRunDir(this.rootDir, this.options.outputDir);
    try {
      fs.rmSync(this.runDir, {recursive: true, force: true});
      fs.mkdirSync(this.runDir, {recursive: true});
    } catch (error) {
      this.warnings.push(`could not prepare the sidecar directory ${this.runDir}: ${errorText(error)}`);
    }
    // Workers are forked after reporters are constructed, so they inherit this.
    env[RUN_DIR_ENV] = this.runDir;
    // In band, environments hand their sidecars over in memory (workers still write files).
    acceptSidecarsInProcess();
  }

  onRunStart(): void {
    this.startedAt = this.now();
  }

  onTestFileResult(test: Test, testResult: TestResult): void {
    try {
      const file = sidecarPath(this.runDir, test.context.config.id, test.path);
      const sidecar = readSidecar(file);
      const record = buildFileRecord({
        rootDir: this.rootDir,
        result: testResult as unknown as JestFileResultLike,
        sidecar,
      });
      if (sidecar.ok && !this.environmentOptions) {
        this.environmentOptions = {path: record.path, options: sidecar.sidecar.options};
      }
      this.files.push(record);
    } catch (error) {
      // Never let one file's odd result cost the whole report: keep the file, status only.
      const rel = typeof test?.path === 'string' ? relativePath(this.rootDir, test.path) : '?';
      this.warnings.push(`could not process results of ${rel}: ${errorText(error)}`);
      this.files.push({
        path: rel,
        status: testResult?.testExecError ? 'error' : (testResult?.numFailingTests ?? 0) > 0 ? 'failed' : 'passed',
        durationMs: 0,
        findings: [],
        tests: [],
        instrumented: false,
        leakStatus: 'unknown',
        warnings: [`Leakwatch could not read this file's results: ${errorText(error)}`],
      });
    }
  }

  onRunComplete(_contexts?: Set<TestContext>, _results?: AggregatedResult): void {
    try {
      this.lastReport = this.buildReport();
      const {written, errors} = this.write(this.lastReport);
      if (errors.length > 0) {
        this.lastError = new Error(`Leakwatch reporter: ${errors.join('; ')}`);
        this.lastReport.warnings = [...(this.lastReport.warnings ?? []), ...errors];
      }
      if (!this.options.quiet) {
        const cwd = this.deps.cwd ?? process.cwd();
        this.log(renderTerminalSummary(this.lastReport, {color: this.color, written: written.map(file => relativePath(cwd, file))}));
      }
    } catch (error) {
      this.lastError = new Error(`Leakwatch reporter failed: ${errorText(error)}`);
      this.log(`Leakwatch: could not write reports: ${errorText(error)}`);
    } finally {
      this.removeRunDir();
      // After the writes (its hook would make them pay for stack captures), still before
      // globalTeardown.
      this.startHangCapture();
      this.scheduleHangCheck();
    }
  }

  /**
   * Starts recording creation stacks for the hang diagnosis. Not earlier than the end of the
   * run: the capture's async hook (with `destroy`) would slow every promise of tests that run
   * in this process (in band) by ~20-30x. It still sees globalTeardown, which runs after this
   * hook; resources from globalSetup or from the run itself are listed by type without stack.
   */
  private startHangCapture(): void {
    if (!this.options.hangDiagnosis || this.hangCapture) return;
    try {
      this.hangCapture = (this.deps.startHangCapture ?? startHangCapture)();
    } catch (error) {
      this.warnings.push(`hang diagnosis unavailable: ${errorText(error)}`);
    }
  }

  getLastError(): Error | undefined {
    return this.lastError;
  }

  /** Builds the report from what was gathered so far (pure data). */
  buildReport(mainProcess?: {findings: Finding[]}): RunReport {
    const options: Record<string, unknown> = {reporter: {...this.options}};
    if (this.environmentOptions) options.environment = this.environmentOptions.options;
    return buildRunReport({
      rootDir: this.rootDir,
      startedAt: new Date(this.startedAt),
      durationMs: this.now() - this.startedAt,
      toolVersion: toolVersion(),
      jestVersion: jestVersion(this.rootDir),
      nodeVersion: process.version,
      options,
      files: this.files,
      warnings: this.warnings,
      ...(mainProcess ? {mainProcess} : {}),
    });
  }

  private write(report: RunReport): {written: string[]; errors: string[]} {
    const out = path.resolve(this.rootDir, this.options.outputDir);
    const outputs: OutputFile[] = [];
    // `{shardIndex}`/`{shardCount}` in file names keep the outputs of `--shard` runs apart.
    const vars = {shardIndex: String(this.shard.shardIndex), shardCount: String(this.shard.shardCount)};
    const name = (value: string | false): string | false => (value === false ? false : fillTemplate(value, vars));
    const json = name(this.options.json);
    const junit = name(this.options.junit);
    const html = name(this.options.html);
    const errors: string[] = [];
    if (json) outputs.push({file: path.resolve(out, json), render: () => renderJson(report)});
    if (junit) {
      outputs.push({
        file: path.resolve(out, junit),
        render: () =>
          renderJUnit(report, {
            profile: this.options.junitProfile,
            suiteNameTemplate: this.options.suiteNameTemplate,
            classNameTemplate: this.options.classNameTemplate,
            title: this.options.title,
            ...(html ? {htmlFile: relativePath(path.dirname(path.resolve(out, junit)), path.resolve(out, html))} : {}),
          }),
      });
    }
    if (html) {
      const bundle = this.deps.clientBundle ?? loadClientBundle();
      if (bundle === undefined) {
        errors.push('the HTML client bundle (dist/client.bundle.js) is missing; run `npm run build` in @leakwatch/jest-reporter');
      } else {
        outputs.push({file: path.resolve(out, html), render: () => renderHtml(report, bundle, {title: this.options.title})});
      }
    }
    const result = writeOutputs(outputs);
    return {written: result.written, errors: [...errors, ...result.errors]};
  }

  private removeRunDir(): void {
    try {
      fs.rmSync(this.runDir, {recursive: true, force: true});
    } catch (error) {
      this.warnings.push(`could not remove ${this.runDir}: ${errorText(error)}`);
    }
  }

  /**
   * If the process is still alive `hangGraceMs` after the run (globalTeardown included), list
   * what keeps it alive and rewrite the reports with `mainProcess`. The timer is unref'd, so
   * it never keeps Jest alive itself.
   */
  private scheduleHangCheck(): void {
    const capture = this.hangCapture;
    if (!capture) return;
    this.hangTimer = setTimeout(() => {
      void this.diagnoseHang(capture);
    }, this.options.hangGraceMs);
    this.hangTimer.unref();
  }

  /** Runs the hang diagnosis now; exposed for tests. */
  async diagnoseHang(capture: HangCapture | undefined = this.hangCapture): Promise<Finding[]> {
    if (!capture) return [];
    try {
      const findings = await capture.collect(this.rootDir);
      if (findings.length === 0) return findings;
      this.lastReport = this.buildReport({findings});
      const {written} = this.write(this.lastReport);
      if (!this.options.quiet) {
        const cwd = this.deps.cwd ?? process.cwd();
        this.log(renderHangSummary(findings, {color: this.color, written: written.map(file => relativePath(cwd, file))}));
      }
      return findings;
    } catch (error) {
      this.log(`Leakwatch: hang diagnosis failed: ${errorText(error)}`);
      return [];
    }
  }
}
