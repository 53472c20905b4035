import {createHash} from 'node:crypto';
import type {Finding, FindingKind, Scope, Severity} from '../model';
import type {ResolvedIgnoreRule, ResolvedOptions} from '../options';
import {STACK_NOT_TAKEN, locateFrame, parseStack, relativeFrameText, stackOrigins, toLocation, toRelative, visibleFrames, type StackFrame, type StackHolder} from './stack';
import type {ResourceRecord, SettledResource} from './trackResources';

export interface FindingContext {
  /** Paths in findings are relative to this (the run's rootDir, as the report's are). */
  rootDir: string;
  /** The project's own rootDir, when it differs (multi-project runs); ignore globs match either. */
  projectRootDir?: string;
  /** Absolute path of the test file, for stable ids. */
  testPath: string;
  options: ResolvedOptions;
}

export interface DescribedLeak {
  finding: Finding;
  /**
   * An Error whose stack is the creation stack (absolute paths), so Jest's code frame
   * points at the line that created the resource.
   */
  error: Error;
}

const NOUN: Record<string, string> = {
  timer: 'a timer',
  server: 'a server',
  socket: 'a socket',
  file: 'a file descriptor',
  watcher: 'a file watcher',
  'child-process': 'a child process',
  worker: 'a worker thread',
  other: 'an async resource',
};

function describeWhat(record: ResourceRecord, details: Record<string, unknown>): string {
  const d = details as Record<string, any>;
  switch (record.kind) {
    case 'timer':
      if (d.api === 'setImmediate') return 'setImmediate callback still pending';
      return `${d.api ?? 'setTimeout'}(…, ${d.delayMs ?? '?'} ms) still pending`;
    case 'server':
      if (d.port !== undefined) return `server listening on ${d.address}:${d.port}`;
      if (d.path) return `server listening on ${d.path}`;
      return `${record.type} still open`;
    case 'socket':
      if (d.protocol === 'udp') return `UDP socket bound to ${d.localAddress ?? '?'}:${d.localPort ?? '?'} still open`;
      if (d.remotePort !== undefined) {
        return `socket ${d.localAddress}:${d.localPort} → ${d.remoteAddress}:${d.remotePort} still open`;
      }
      return `${record.type} socket still open`;
    case 'file': {
      const via = record.type;
      const fd = d.fd === undefined ? '' : `fd ${d.fd} `;
      if (via.includes('Stream')) return `${d.stream ?? 'stream'} on ${d.path} never closed (${via})`;
      // Says why there is no code frame, where the stack was never taken.
      return `${fd}for ${d.path} never closed (${typeof d.note === 'string' ? `${via}; ${d.note}` : via})`;
    }
    case 'watcher':
      return `${record.type === 'STATWATCHER' ? 'fs.watchFile' : 'fs.watch'} watcher still active`;
    case 'child-process':
      return `child process${d.pid ? ` ${d.pid}` : ''}${d.command ? ` (${d.command})` : ''} still running`;
    case 'worker':
      return `worker thread${d.threadId !== undefined ? ` ${d.threadId}` : ''} still running`;
    default:
      return `${record.type} still active`;
  }
}

function matchesRule(rule: ResolvedIgnoreRule, kind: FindingKind, type: string, frames: readonly StackFrame[], top: StackFrame | undefined, rootDirs: readonly string[]): boolean {
  if (rule.kinds && !rule.kinds.has(kind)) return false;
  if (rule.resourceTypes && !rule.resourceTypes.has(type)) return false;
  if (rule.topFunction !== undefined && top?.functionName !== rule.topFunction && !top?.functionName?.endsWith(`.${rule.topFunction}`)) {
    return false;
  }
  if (rule.stackGlob) {
    const glob = rule.stackGlob;
    const matches = (file: string): boolean => glob(file) || rootDirs.some(rootDir => glob(toRelative(rootDir, file)));
    if (!frames.some(frame => frame.file !== undefined && matches(frame.file))) return false;
  }
  if (rule.stackRegex) {
    const regex = rule.stackRegex;
    if (!frames.some(frame => {
      regex.lastIndex = 0;
      return regex.test(frame.text);
    })) return false;
  }
  return true;
}

/**
 * True when the test runner (or Leakwatch) created the resource: the first frame outside
 * Node is the tool's own — circus timeouts, transform-cache writes, the real interval
 * behind `useFakeTimers({advanceTimers: true})` — even if user code is further down.
 */
export function isToolOnly(frames: ReadonlyArray<Pick<StackFrame, 'origin'>>): boolean {
  return originsToolOnly(frames.map(frame => frame.origin));
}

function originsToolOnly(origins: ReadonlyArray<StackFrame['origin']>): boolean {
  const creator = origins.find(origin => origin !== 'node' && origin !== 'self');
  return creator === undefined || creator === 'tool';
}

const nodeOrSelf = (origin: StackFrame['origin']): boolean => origin === 'node' || origin === 'self';

/**
 * What `read` gives for the creation stack, or for the user's call site when that stack holds
 * only Node and Leakwatch frames (Node created the handle later, e.g. in a lookup callback).
 */
function fromCreator<T>(record: ResourceRecord, read: (stack: StackHolder) => T[], originOf: (item: T) => StackFrame['origin']): T[] {
  const items = read(record.stack);
  if (items.every(item => nodeOrSelf(originOf(item)))) {
    const callSite = record.callSiteStack?.();
    if (callSite) return read(callSite);
  }
  return items;
}

function framesOf(record: ResourceRecord): StackFrame[] {
  return fromCreator(record, parseStack, frame => frame.origin);
}

/** framesOf reduced to origins, from the call sites when the stack is not formatted yet. */
function originsOf(record: ResourceRecord): Array<StackFrame['origin']> {
  const read = (stack: StackHolder) => stackOrigins(stack) ?? parseStack(stack).map(frame => frame.origin);
  return fromCreator(record, read, origin => origin);
}

const runnerMade = new WeakMap<ResourceRecord, boolean>();

/**
 * True for the test runner's own resources (circus timeouts, the default reporter's
 * debounce timer in band, transform-cache writes): never findings, so never worth waiting
 * for either. Tool-only stacks are the runner's, unless the cause came down the async chain
 * from user code and Node alone is on the stack (a handle created in a lookup callback).
 * Formats the stack once per record; call it only for records that are still alive.
 */
export function isRunnerMade(record: ResourceRecord, frames?: readonly StackFrame[]): boolean {
  const known = runnerMade.get(record);
  if (known !== undefined) return known;
  // Kept open past a yield with readFileSync's own arguments: the runner never does that.
  if (record.stack === STACK_NOT_TAKEN) return false;
  const origins = frames ? frames.map(frame => frame.origin) : originsOf(record);
  const result = originsToolOnly(origins) && !(record.causal && origins.every(nodeOrSelf));
  runnerMade.set(record, result);
  return result;
}

function findingId(parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}

export function severityFor(options: ResolvedOptions, kind: FindingKind): Severity | undefined {
  const configured = options.severity[kind];
  return configured === 'off' ? undefined : configured;
}

/**
 * Turns a resource that outlived its scope into a Finding (and an Error carrying its
 * creation stack), or undefined when policy says not to report it.
 */
export function describeLeak(
  {record, liveness}: SettledResource,
  scope: Scope,
  scopePath: readonly string[],
  context: FindingContext,
  /** Who leaked, as the message names it. @default 'this test' / 'this describe block' / 'this file' */
  subject?: string,
): DescribedLeak | undefined {
  const {options, rootDir} = context;
  let severity = severityFor(options, record.kind);
  if (severity === undefined) return undefined;
  if (liveness === 'unref') severity = 'info';
  const frames = framesOf(record);
  if (isRunnerMade(record, frames)) return undefined;
  const top = locateFrame(frames);
  const rootDirs = context.projectRootDir && context.projectRootDir !== rootDir ? [context.projectRootDir, rootDir] : [rootDir];
  if (options.ignore.some(rule => matchesRule(rule, record.kind, record.type, frames, top, rootDirs))) return undefined;
  const details = {...record.details()};
  for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
  if (liveness === 'unref') details.unref = true;
  const shown = visibleFrames(frames, options.stackDepth);
  const where = subject ?? (scope === 'test' ? 'this test' : scope === 'describe' ? 'this describe block' : 'this file');
  const message = `${liveness === 'unref' ? `${where} left an unref'd` : `${where} leaked`} ${NOUN[record.kind] ?? 'a resource'}: ${describeWhat(record, details)}`;
  const location = toLocation(rootDir, top);
  const finding: Finding = {
    id: findingId([toRelative(rootDir, context.testPath), scope, scopePath, record.kind, record.type, location]),
    kind: record.kind,
    severity,
    scope,
    scopePath: [...scopePath],
    resourceType: record.type,
    message,
    ...(location ? {location} : {}),
    stack: shown.map(frame => relativeFrameText(rootDir, frame)),
    details,
  };
  const error = new Error(`Leakwatch: ${message}`);
  error.name = 'ResourceLeak';
  error.stack = `${error.name}: ${error.message}\n${shown.map(frame => `    at ${frame.text}`).join('\n')}`;
  return {finding, error};
}
