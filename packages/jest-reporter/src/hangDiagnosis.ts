import * as path from 'node:path';
import type {Finding, FindingKind} from '@leakwatch/core';

/** A capture of the main process's async resources, started early, collected after the run. */
export interface HangCapture {
  collect(rootDir: string): Promise<Finding[]>;
}

interface WhyModule {
  default: (logger: {error: (...args: unknown[]) => void; log?: (...args: unknown[]) => void}) => void;
}

/** One `# TYPE` block of why-is-node-running's output. */
export interface WhyEntry {
  type: string;
  /** `path:line` (relative to cwd) and, when readable, ` - <source line>`. */
  frames: string[];
}

const TYPE_KINDS: Record<string, FindingKind> = {
  Timeout: 'timer',
  Immediate: 'timer',
  TCPSERVERWRAP: 'server',
  PIPESERVERWRAP: 'server',
  TCPWRAP: 'socket',
  TLSWRAP: 'socket',
  PIPEWRAP: 'socket',
  UDPWRAP: 'socket',
  FSEVENTWRAP: 'watcher',
  STATWATCHER: 'watcher',
  PROCESSWRAP: 'child-process',
  WORKER: 'worker',
  FILEHANDLE: 'file',
};

// Terminal handles are Jest's own stdio; they never keep a process alive on their own.
// Callbacks and requests already queued finish by themselves; they do not hang a process.
const IGNORED_TYPES = new Set(['TTYWRAP', 'SIGNALWRAP', 'TickObject', 'Microtask', 'PROMISE', 'FSREQCALLBACK', 'FSREQPROMISE', 'GETADDRINFOREQWRAP', 'WRITEWRAP', 'SHUTDOWNWRAP']);
// Frames inside Jest, this reporter or the capture itself are machinery, not the leak.
const MACHINERY = /(^|[/\\])node_modules[/\\](jest|@jest[/\\][^/\\]+|jest-[^/\\]+|why-is-node-running)[/\\]|[/\\]packages[/\\]jest-reporter[/\\](dist|src)[/\\]|(^|[/\\])@leakwatch[/\\]jest-reporter[/\\]/;

/** Parses the lines why-is-node-running logs into entries. */
export function parseWhyOutput(lines: readonly string[]): WhyEntry[] {
  const entries: WhyEntry[] = [];
  let current: WhyEntry | undefined;
  for (const line of lines) {
    if (line.startsWith('# ')) {
      current = {type: line.slice(2).trim(), frames: []};
      entries.push(current);
    } else if (current && line.trim() !== '' && line.trim() !== '(unknown stack trace)') {
      current.frames.push(line.trim());
    }
  }
  return entries;
}

function frameFile(frame: string): string {
  const location = frame.split(' - ')[0] ?? frame;
  return location.replace(/:\d+$/, '').trim();
}

/** Turns captured entries into main-process findings, dropping Jest's own machinery. */
export function entriesToFindings(entries: readonly WhyEntry[], cwd: string, rootDir: string): Finding[] {
  const findings: Finding[] = [];
  for (const entry of entries) {
    if (IGNORED_TYPES.has(entry.type)) continue;
    const user = entry.frames.filter(frame => !MACHINERY.test(frameFile(frame)));
    if (user.length === 0) continue;
    const stack = user.map(frame => {
      const [location = frame, source] = frame.split(' - ');
      const match = /^(.*):(\d+)$/.exec(location.trim());
      const file = match ? relativeTo(rootDir, path.resolve(cwd, match[1] ?? '')) : location.trim();
      return `${file}:${match?.[2] ?? '0'}${source ? ` (${source.trim()})` : ''}`;
    });
    const first = /^(.*):(\d+)$/.exec((user[0] ?? '').split(' - ')[0]?.trim() ?? '');
    const finding: Finding = {
      id: `main:${findings.length + 1}:${entry.type}`,
      kind: TYPE_KINDS[entry.type] ?? 'other',
      severity: 'error',
      scope: 'file',
      scopePath: [],
      resourceType: entry.type,
      message: `${entry.type} keeps the main Jest process alive after the run (created in globalSetup/globalTeardown, a reporter or a plugin)`,
      stack,
      details: {process: 'main'},
    };
    if (first) finding.location = {file: relativeTo(rootDir, path.resolve(cwd, first[1] ?? '')), line: Number(first[2]), column: 0};
    findings.push(finding);
  }
  return findings;
}

function relativeTo(rootDir: string, file: string): string {
  const rel = path.relative(rootDir, file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

const ACTIVE_NAMES: Record<string, string> = {
  TCPSocketWrap: 'TCPWRAP',
  TCPServerWrap: 'TCPSERVERWRAP',
  PipeWrap: 'PIPEWRAP',
  PipeServerWrap: 'PIPESERVERWRAP',
  FSEventWrap: 'FSEVENTWRAP',
  StatWatcher: 'STATWATCHER',
  ProcessWrap: 'PROCESSWRAP',
  UDPWrap: 'UDPWRAP',
  TTYWrap: 'TTYWRAP',
  SignalWrap: 'SIGNALWRAP',
  Timeout: 'Timeout',
  Immediate: 'Immediate',
};

/** `process.getActiveResourcesInfo()` names → async_hooks type names (what the capture reports). */
export function normalizeActiveType(name: string): string {
  return ACTIVE_NAMES[name] ?? name.toUpperCase();
}

// Requests (an fs or dns call in flight) finish on their own; they do not hang a process.
const TRANSIENT = /Req|^WriteWrap$|^ShutdownWrap$/;

/**
 * Resources that keep the process alive but have no captured stack: created before the
 * capture started (globalSetup runs before Jest constructs reporters). Counted by type:
 * active resources minus every captured one (also Jest's own) minus the process's stdio handles.
 */
export function uncapturedFindings(activeTypes: readonly string[], capturedTypes: readonly string[], stdioHandles: readonly string[] = []): Finding[] {
  const counts = new Map<string, number>();
  for (const name of activeTypes) {
    if (TRANSIENT.test(name)) continue;
    const type = normalizeActiveType(name);
    if (IGNORED_TYPES.has(type)) continue;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  for (const type of [...capturedTypes, ...stdioHandles]) {
    const left = counts.get(type);
    if (left !== undefined) counts.set(type, left - 1);
  }
  return [...counts.entries()]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, count]) => ({
      id: `main:uncaptured:${type}`,
      kind: TYPE_KINDS[type] ?? 'other',
      severity: 'error' as const,
      scope: 'file' as const,
      scopePath: [],
      resourceType: type,
      message: `${count} × ${type} keep${count === 1 ? 's' : ''} the main Jest process alive; created before Leakwatch's reporter started (globalSetup?), so no stack is known`,
      stack: [],
      details: {process: 'main', count},
    }));
}

/** Handle types of the process's own stdout/stderr (pipes or terminals), which are not leaks. */
function stdioHandleTypes(): string[] {
  const types: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const name = (stream as unknown as {_handle?: {constructor?: {name?: string}}})._handle?.constructor?.name;
    if (name === 'Pipe') types.push('PIPEWRAP');
    else if (name === 'TTY') types.push('TTYWRAP');
    else if (name === 'TCP') types.push('TCPWRAP');
  }
  return types;
}

/**
 * Starts why-is-node-running's async_hooks capture now (it records a stack for every
 * resource created from here on) and returns how to collect what is still alive later.
 */
export function startHangCapture(): HangCapture {
  // why-is-node-running is ESM-only; importing it enables its hook. A synchronous require
  // (Node >= 20.19 loads ESM that way) enables it now, before globalTeardown and the rest of
  // the run; an import() would only finish some event-loop turns later and miss resources
  // created meanwhile. Older Node falls back to import().
  let loaded: Promise<WhyModule>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = Promise.resolve(require('why-is-node-running') as WhyModule);
  } catch {
    loaded = import('why-is-node-running') as Promise<WhyModule>;
  }
  loaded.catch(() => undefined);
  return {
    async collect(rootDir: string): Promise<Finding[]> {
      const why = await loaded;
      const lines: string[] = [];
      const sink = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
      why.default({error: sink, log: sink});
      const entries = parseWhyOutput(lines);
      const captured = entriesToFindings(entries, process.cwd(), rootDir);
      const uncaptured = uncapturedFindings(process.getActiveResourcesInfo(), entries.map(entry => entry.type), stdioHandleTypes());
      return [...captured, ...uncaptured];
    },
  };
}
