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
const IGNORED_TYPES = new Set(['TTYWRAP', 'SIGNALWRAP']);
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

/**
 * Resources that are alive but were created before the capture started (globalSetup runs
 * before Jest constructs reporters), so no stack is known: listed by type.
 */
export function uncapturedFindings(activeTypes: readonly string[], captured: readonly Finding[]): Finding[] {
  const counts = new Map<string, number>();
  for (const type of activeTypes) {
    if (type === 'TTYWrap' || type === 'TTYWRAP') continue;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  if (captured.length > 0 || counts.size === 0) return [];
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, count], index) => ({
      id: `main:uncaptured:${index + 1}:${type}`,
      kind: 'other' as const,
      severity: 'error' as const,
      scope: 'file' as const,
      scopePath: [],
      resourceType: type,
      message: `${count} × ${type} keep${count === 1 ? 's' : ''} the main Jest process alive; created before Leakwatch's reporter started (globalSetup?), so no stack is known`,
      stack: [],
      details: {process: 'main', count},
    }));
}

/**
 * Starts why-is-node-running's async_hooks capture now (it records a stack for every
 * resource created from here on) and returns how to collect what is still alive later.
 */
export function startHangCapture(): HangCapture {
  // why-is-node-running is ESM-only; importing it enables its hook.
  const loaded: Promise<WhyModule> = import('why-is-node-running') as Promise<WhyModule>;
  loaded.catch(() => undefined);
  return {
    async collect(rootDir: string): Promise<Finding[]> {
      const why = await loaded;
      const lines: string[] = [];
      const sink = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
      why.default({error: sink, log: sink});
      const captured = entriesToFindings(parseWhyOutput(lines), process.cwd(), rootDir);
      return [...captured, ...uncapturedFindings(process.getActiveResourcesInfo(), captured)];
    },
  };
}
