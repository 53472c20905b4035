import * as path from 'node:path';
import {DEFAULT_OUTPUT_DIR, LeakwatchError, describeValue} from '@leakwatch/core';

export type JUnitProfile = 'strict' | 'rich';

/** Options of `@leakwatch/jest-reporter` (second element of its `reporters` entry). */
export interface ReporterOptions {
  /** Directory for all reports, relative to rootDir (`<rootDir>` is expanded). @default 'leakwatch-report' */
  outputDir?: string;
  /**
   * Write leakwatch.json; `true`, `false` or a file name relative to outputDir. File names may
   * use `{shardIndex}` and `{shardCount}` (from `--shard`). @default true ('leakwatch.json')
   */
  json?: boolean | string;
  /** Write JUnit XML; `true`, `false` or a file name relative to outputDir. @default true ('junit.xml') */
  junit?: boolean | string;
  /** Write the HTML report; `true`, `false` or a file name relative to outputDir. @default true ('report.html') */
  html?: boolean | string;
  /** `strict` validates against Jenkins xUnit junit-10.xsd; `rich` adds testcase file/line. @default 'strict' */
  junitProfile?: JUnitProfile;
  /** `<testsuite name>`; variables `{filepath}`, `{filename}`. @default '{filepath}' */
  suiteNameTemplate?: string;
  /**
   * `<testcase classname>`; variables `{filepath}`, `{filename}`, `{describe}` (describe titles
   * joined by ` › `), `{title}`. An empty result falls back to the file path. @default '{describe}'
   */
  classNameTemplate?: string;
  /** Title of the HTML report and of `<testsuites name>`. @default 'Leakwatch report' */
  title?: string;
  /** No terminal summary (reports are still written). @default false */
  quiet?: boolean;
  /** After the run, list what keeps the main Jest process alive. @default true */
  hangDiagnosis?: boolean;
  /** How long the main process may stay alive after the run before it is diagnosed. @default 1000 */
  hangGraceMs?: number;
}

export interface ResolvedReporterOptions {
  outputDir: string;
  json: string | false;
  junit: string | false;
  html: string | false;
  junitProfile: JUnitProfile;
  suiteNameTemplate: string;
  classNameTemplate: string;
  title: string;
  quiet: boolean;
  hangDiagnosis: boolean;
  hangGraceMs: number;
}

export const REPORTER_OPTION_KEYS = [
  'outputDir',
  'json',
  'junit',
  'html',
  'junitProfile',
  'suiteNameTemplate',
  'classNameTemplate',
  'title',
  'quiet',
  'hangDiagnosis',
  'hangGraceMs',
] as const satisfies readonly (keyof ReporterOptions)[];

export const REPORTER_DEFAULTS: ResolvedReporterOptions = {
  outputDir: DEFAULT_OUTPUT_DIR,
  json: 'leakwatch.json',
  junit: 'junit.xml',
  html: 'report.html',
  junitProfile: 'strict',
  suiteNameTemplate: '{filepath}',
  classNameTemplate: '{describe}',
  title: 'Leakwatch report',
  quiet: false,
  hangDiagnosis: true,
  hangGraceMs: 1000,
};

/** Environment variables that override reporter options (for CI), in the order they are documented. */
export const ENV_OVERRIDES = {
  LEAKWATCH_OUTPUT_DIR: 'outputDir',
  LEAKWATCH_JSON: 'json',
  LEAKWATCH_JUNIT: 'junit',
  LEAKWATCH_HTML: 'html',
  LEAKWATCH_JUNIT_PROFILE: 'junitProfile',
  LEAKWATCH_REPORT_TITLE: 'title',
  LEAKWATCH_QUIET: 'quiet',
  LEAKWATCH_HANG_DIAGNOSIS: 'hangDiagnosis',
} as const satisfies Record<string, keyof ReporterOptions>;

function invalid(source: string, value: unknown, expected: string): LeakwatchError {
  return new LeakwatchError(
    'LW_INVALID_OPTION',
    `Leakwatch reporter: ${source} must be ${expected}; received ${describeValue(value)}.`,
  );
}

function outputFile(source: string, value: unknown, fallback: string): string | false {
  if (value === true) return fallback;
  if (value === false) return false;
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw invalid(source, value, 'true, false or a non-empty file name');
}

function fromEnv(variable: string, key: keyof ReporterOptions, raw: string): unknown {
  const lower = raw.trim().toLowerCase();
  switch (key) {
    case 'json':
    case 'junit':
    case 'html':
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return raw;
    case 'quiet':
    case 'hangDiagnosis':
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      throw invalid(`environment variable ${variable}`, raw, '"true", "false", "1" or "0"');
    default:
      return raw;
  }
}

/**
 * Validates reporter options and applies environment overrides.
 * Precedence: environment variable > reporter option > default.
 */
export function resolveReporterOptions(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>> = {},
  rootDir = '',
): ResolvedReporterOptions {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw invalid('options', raw, 'an object');
  }
  const given: Record<string, unknown> = {...((raw ?? {}) as Record<string, unknown>)};
  for (const key of Object.keys(given)) {
    if (!(REPORTER_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new LeakwatchError(
        'LW_UNKNOWN_OPTION',
        `Leakwatch reporter: unknown option "${key}". Valid options are: ${REPORTER_OPTION_KEYS.join(', ')}.`,
      );
    }
  }
  const sources: Record<string, string> = {};
  for (const key of Object.keys(given)) sources[key] = `option "${key}"`;
  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    given[key] = fromEnv(variable, key, value);
    sources[key] = `environment variable ${variable} (option "${key}")`;
  }
  const source = (key: string): string => sources[key] ?? `option "${key}"`;
  const result: ResolvedReporterOptions = {...REPORTER_DEFAULTS};

  const str = (key: 'outputDir' | 'suiteNameTemplate' | 'classNameTemplate' | 'title', allowEmpty: boolean): void => {
    const value = given[key];
    if (value === undefined) return;
    if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
      throw invalid(source(key), value, allowEmpty ? 'a string' : 'a non-empty string');
    }
    result[key] = value;
  };
  const bool = (key: 'quiet' | 'hangDiagnosis'): void => {
    const value = given[key];
    if (value === undefined) return;
    if (typeof value !== 'boolean') throw invalid(source(key), value, 'a boolean');
    result[key] = value;
  };
  str('outputDir', false);
  str('suiteNameTemplate', false);
  str('classNameTemplate', true);
  str('title', false);
  bool('quiet');
  bool('hangDiagnosis');
  for (const key of ['json', 'junit', 'html'] as const) {
    if (given[key] !== undefined) result[key] = outputFile(source(key), given[key], REPORTER_DEFAULTS[key] as string);
  }
  if (given.junitProfile !== undefined) {
    if (given.junitProfile !== 'strict' && given.junitProfile !== 'rich') {
      throw invalid(source('junitProfile'), given.junitProfile, '"strict" or "rich"');
    }
    result.junitProfile = given.junitProfile;
  }
  if (given.hangGraceMs !== undefined) {
    const value = given.hangGraceMs;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(source('hangGraceMs'), value, 'a non-negative number of milliseconds');
    }
    result.hangGraceMs = value;
  }
  if (rootDir !== '') result.outputDir = expandRootDir(result.outputDir, rootDir);
  return result;
}

/** Replaces a leading `<rootDir>` as Jest does for its own path options. */
export function expandRootDir(value: string, rootDir: string): string {
  const token = '<rootDir>';
  if (!value.startsWith(token)) return value;
  return path.join(rootDir, value.slice(token.length));
}
