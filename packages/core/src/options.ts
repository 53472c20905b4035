import type picomatchModule from 'picomatch';
import {FINDING_KINDS, type FindingKind} from './model';
import {LeakwatchError, describeValue, invalidOption} from './errors';
import {checkBoolean, checkIntegerInRange, checkNonNegativeNumber, isPlainObject, rejectUnknownKeys} from './validate';
import {resolveMemoryOptions, type MemoryOptions} from './memory/memoryOptions';
import type {MemoryProbeSettings} from './memory/MemoryProbe';
import {resolveStateOptions, type ResolvedStateOptions, type StateOptions} from './state/stateOptions';

/** Loaded on the first stack glob: ~2.4 ms per process that most runs, with no glob, never need. */
function loadPicomatch(): typeof picomatchModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('picomatch') as typeof picomatchModule;
}

export type SeverityOption = 'error' | 'warn' | 'off';

/**
 * One ignore rule; a resource is ignored when every field the rule sets matches.
 * Like goleak's `IgnoreTopFunction` / `IgnoreAnyFunction`.
 */
export interface IgnoreRule {
  /** Finding kind(s) the rule applies to. */
  kind?: FindingKind | FindingKind[];
  /** async_hooks type(s), e.g. `Timeout`, `TCPWRAP`, or instrumentation source, e.g. `fs.openSync`. */
  resourceType?: string | string[];
  /**
   * Matches the creation stack: a glob (picomatch) tested against each frame's file path
   * relative to rootDir, or a regular expression written as `/source/flags` tested
   * against each frame's text.
   */
  stack?: string;
  /** Function name of the first user frame (goleak's IgnoreTopFunction). */
  topFunction?: string;
  /** Why it is ignored; shown nowhere, kept for the reader of the config. */
  reason?: string;
}

/** Options under `testEnvironmentOptions.leakwatch` (and `@jest-environment-options`). */
export interface LeakwatchOptions {
  /**
   * Severity per finding kind: `error` fails the test (or file) that caused it, `warn`
   * reports it, `off` does not look.
   * @default handle kinds `error`; `memory`, state kinds and `unclosed-gc` `warn`
   */
  severity?: Partial<Record<FindingKind, SeverityOption>>;
  /** Resources to ignore. @default [] */
  ignore?: IgnoreRule[];
  /**
   * Longest time (ms) to wait for resources that are still closing before calling them
   * leaked. The wait backs off exponentially and stops as soon as nothing is pending.
   * Servers and sockets wait at most 25 ms unless `settleMsByKind` names them: they close
   * only when code or the peer closes them, and a local peer does so within a few loop turns.
   * @default 200
   */
  settleMs?: number;
  /** Per-kind override of `settleMs`. @default {} */
  settleMsByKind?: Partial<Record<FindingKind, number>>;
  /**
   * Release leaked handles after recording them: clear timers, close servers, unref (not
   * destroy) connections, kill processes, terminate workers, close watchers and fds. Also
   * disables the AsyncLocalStorage jest-circus 30 creates per test file and leaves enabled,
   * which on Node < 24 slows every later promise in the worker.
   * @default true
   */
  cleanup?: boolean;
  /** Report unref'd handles as `info` findings. @default false */
  reportUnref?: boolean;
  /** Where sidecars go when no Leakwatch reporter is configured. @default `<cacheDirectory>/leakwatch` */
  outputDir?: string;
  /** Frames kept per creation stack. @default 12 */
  stackDepth?: number;
  /**
   * Heap growth per file after forced GC (per test with `perTest`), heap snapshot diffs.
   * `false` turns memory measuring off. @default {} (per file: 24 MiB growth, 32 MiB after teardown)
   */
  memory?: boolean | MemoryOptions;
  /** Global/env/cwd/listener snapshots around each test. `false` turns them off. @default {} */
  state?: boolean | StateOptions;
}

export interface ResolvedIgnoreRule {
  kinds?: ReadonlySet<string>;
  resourceTypes?: ReadonlySet<string>;
  stackGlob?: (file: string) => boolean;
  stackRegex?: RegExp;
  topFunction?: string;
}

export interface ResolvedOptions {
  severity: Record<FindingKind, SeverityOption>;
  ignore: ResolvedIgnoreRule[];
  settleMs: number;
  settleMsByKind: Partial<Record<FindingKind, number>>;
  cleanup: boolean;
  reportUnref: boolean;
  outputDir: string | undefined;
  stackDepth: number;
  memory: MemoryProbeSettings;
  state: ResolvedStateOptions;
  /** The validated input, JSON-safe, for the report. */
  raw: Record<string, unknown>;
}

export const DEFAULT_SEVERITY: Readonly<Record<FindingKind, SeverityOption>> = {
  timer: 'error',
  server: 'error',
  socket: 'error',
  file: 'error',
  watcher: 'error',
  'child-process': 'error',
  worker: 'error',
  // Growth the tracker cannot explain: worth a look, not worth a red build.
  other: 'warn',
  global: 'warn',
  env: 'warn',
  cwd: 'warn',
  'process-listener': 'warn',
  memory: 'warn',
  state: 'warn',
  'unclosed-gc': 'warn',
};

export const OPTION_KEYS = [
  'severity',
  'ignore',
  'settleMs',
  'settleMsByKind',
  'cleanup',
  'reportUnref',
  'outputDir',
  'stackDepth',
  'memory',
  'state',
] as const;

const SEVERITY_VALUES = ['error', 'warn', 'off'] as const;
const IGNORE_RULE_KEYS = ['kind', 'resourceType', 'stack', 'topFunction', 'reason'] as const;


function checkKind(key: string, value: unknown): FindingKind {
  if (typeof value !== 'string' || !(FINDING_KINDS as readonly string[]).includes(value)) {
    throw invalidOption(key, value, `one of ${FINDING_KINDS.map(k => `"${k}"`).join(', ')}`);
  }
  return value as FindingKind;
}



function checkStringList(key: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0) {
      throw invalidOption(key, value, 'a non-empty string or an array of them');
    }
  }
  return list as string[];
}

/** `/source/flags` → RegExp; anything else → undefined. */
export function parseRegexLiteral(text: string): RegExp | undefined {
  const match = /^\/(.+)\/([dgimsuyv]*)$/s.exec(text);
  if (!match) return undefined;
  return new RegExp(match[1]!, match[2]);
}

function resolveIgnoreRule(rule: unknown, index: number): ResolvedIgnoreRule {
  const at = `ignore[${index}]`;
  if (!isPlainObject(rule)) {
    throw new LeakwatchError(
      'LW_INVALID_IGNORE_RULE',
      `Leakwatch: option "${at}" must be an object with any of ${IGNORE_RULE_KEYS.join(', ')}; received ${describeValue(rule)}.`,
    );
  }
  for (const key of Object.keys(rule)) {
    if (!(IGNORE_RULE_KEYS as readonly string[]).includes(key)) {
      throw new LeakwatchError(
        'LW_INVALID_IGNORE_RULE',
        `Leakwatch: unknown key "${key}" in option "${at}". Valid keys are: ${IGNORE_RULE_KEYS.join(', ')}.`,
      );
    }
  }
  const resolved: ResolvedIgnoreRule = {};
  if (rule.kind !== undefined) {
    const kinds = Array.isArray(rule.kind) ? rule.kind : [rule.kind];
    resolved.kinds = new Set(kinds.map((kind, i) => checkKind(`${at}.kind${Array.isArray(rule.kind) ? `[${i}]` : ''}`, kind)));
  }
  if (rule.resourceType !== undefined) {
    resolved.resourceTypes = new Set(checkStringList(`${at}.resourceType`, rule.resourceType));
  }
  if (rule.stack !== undefined) {
    if (typeof rule.stack !== 'string' || rule.stack.length === 0) {
      throw invalidOption(`${at}.stack`, rule.stack, 'a glob such as "**/vendor/**" or a regular expression such as "/pool\\.js/"');
    }
    if (rule.stack.startsWith('/') && /\/[dgimsuyv]*$/.test(rule.stack) && rule.stack.length > 2) {
      try {
        resolved.stackRegex = parseRegexLiteral(rule.stack);
      } catch (error) {
        throw new LeakwatchError(
          'LW_INVALID_IGNORE_RULE',
          `Leakwatch: option "${at}.stack" is not a valid regular expression: ${describeValue(rule.stack)} (${(error as Error).message}).`,
        );
      }
    }
    if (!resolved.stackRegex) {
      try {
        resolved.stackGlob = loadPicomatch()(rule.stack, {dot: true, strictBrackets: true});
      } catch (error) {
        throw new LeakwatchError(
          'LW_INVALID_IGNORE_RULE',
          `Leakwatch: option "${at}.stack" is not a valid glob: ${describeValue(rule.stack)} (${(error as Error).message}).`,
        );
      }
    }
  }
  if (rule.topFunction !== undefined) {
    if (typeof rule.topFunction !== 'string' || rule.topFunction.length === 0) {
      throw invalidOption(`${at}.topFunction`, rule.topFunction, 'a non-empty function name');
    }
    resolved.topFunction = rule.topFunction;
  }
  if (rule.reason !== undefined && typeof rule.reason !== 'string') {
    throw invalidOption(`${at}.reason`, rule.reason, 'a string');
  }
  if (!resolved.kinds && !resolved.resourceTypes && !resolved.stackGlob && !resolved.stackRegex && !resolved.topFunction) {
    throw new LeakwatchError(
      'LW_INVALID_IGNORE_RULE',
      `Leakwatch: option "${at}" matches everything; set at least one of kind, resourceType, stack, topFunction (to stop looking at a kind, use severity: {<kind>: "off"}).`,
    );
  }
  return resolved;
}

/**
 * Validates `testEnvironmentOptions.leakwatch` once and fills in defaults.
 * Throws a LeakwatchError naming the option, the value received and what is valid.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (!isPlainObject(input)) throw invalidOption('leakwatch', input, 'an object');
  rejectUnknownKeys(undefined, input, OPTION_KEYS);
  const severity: Record<FindingKind, SeverityOption> = {...DEFAULT_SEVERITY};
  if (input.severity !== undefined) {
    if (!isPlainObject(input.severity)) {
      throw invalidOption('severity', input.severity, 'an object mapping finding kinds to "error", "warn" or "off"');
    }
    for (const [kind, value] of Object.entries(input.severity)) {
      checkKind(`severity.${kind}`, kind);
      if (!(SEVERITY_VALUES as readonly unknown[]).includes(value)) {
        throw invalidOption(`severity.${kind}`, value, 'one of "error", "warn", "off"');
      }
      severity[kind as FindingKind] = value as SeverityOption;
    }
  }
  let ignore: ResolvedIgnoreRule[] = [];
  if (input.ignore !== undefined) {
    if (!Array.isArray(input.ignore)) throw invalidOption('ignore', input.ignore, 'an array of ignore rules');
    ignore = input.ignore.map(resolveIgnoreRule);
  }
  const settleMs = input.settleMs === undefined ? 200 : checkNonNegativeNumber('settleMs', input.settleMs);
  const settleMsByKind: Partial<Record<FindingKind, number>> = {};
  if (input.settleMsByKind !== undefined) {
    if (!isPlainObject(input.settleMsByKind)) {
      throw invalidOption('settleMsByKind', input.settleMsByKind, 'an object mapping finding kinds to milliseconds');
    }
    for (const [kind, value] of Object.entries(input.settleMsByKind)) {
      checkKind(`settleMsByKind.${kind}`, kind);
      settleMsByKind[kind as FindingKind] = checkNonNegativeNumber(`settleMsByKind.${kind}`, value);
    }
  }
  const cleanup = input.cleanup === undefined ? true : checkBoolean('cleanup', input.cleanup);
  const reportUnref = input.reportUnref === undefined ? false : checkBoolean('reportUnref', input.reportUnref);
  let outputDir: string | undefined;
  if (input.outputDir !== undefined) {
    if (typeof input.outputDir !== 'string' || input.outputDir.length === 0) {
      throw invalidOption('outputDir', input.outputDir, 'a non-empty path');
    }
    outputDir = input.outputDir;
  }
  let stackDepth = 12;
  if (input.stackDepth !== undefined) {
    stackDepth = checkIntegerInRange('stackDepth', input.stackDepth, 1, 100);
  }
  return {
    severity,
    ignore,
    settleMs,
    settleMsByKind,
    cleanup,
    reportUnref,
    outputDir,
    stackDepth,
    memory: resolveMemoryOptions(input.memory),
    state: resolveStateOptions(input.state),
    raw: JSON.parse(JSON.stringify(input)) as Record<string, unknown>,
  };
}

/** What a settle waits at most for a server or connection no option names. */
export const CONNECTION_SETTLE_MS = 25;

/**
 * The settle budget of one finding kind: `settleMsByKind`, else `settleMs`, except that a
 * server or socket waits at most CONNECTION_SETTLE_MS (a really leaked one would otherwise
 * cost every check the whole budget for nothing).
 */
export function settleBudget(options: Pick<ResolvedOptions, 'settleMs' | 'settleMsByKind'>, kind: FindingKind): number {
  const explicit = options.settleMsByKind[kind];
  if (explicit !== undefined) return explicit;
  return kind === 'server' || kind === 'socket' ? Math.min(options.settleMs, CONNECTION_SETTLE_MS) : options.settleMs;
}
