import * as path from 'node:path';
import type {SourceLocation} from '../model';

/**
 * Holds a captured, not yet formatted stack. V8 formats `.stack` on first read, which
 * costs as much as the capture again, so reading waits until a resource is reported.
 */
export interface StackHolder {
  /** V8's lazy stack; Leakwatch reads it once, as call sites (see callSitesOf). */
  stack?: unknown;
  /** The call sites, from the first read until readStack formats them. */
  sites?: NodeJS.CallSite[];
  /** Set by readStack: real function names per frame, before any source-map renaming. */
  functionNames?: Array<string | null>;
  /** Set by readStack: the formatted text, cached. */
  text?: string;
}

type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

/** The stack of a descriptor opened with readFileSync's own openSync arguments: never taken. */
export const STACK_NOT_TAKEN: StackHolder = Object.freeze({text: ''});

/**
 * The holder's call sites, read from V8 once (the first `.stack` read fixes its value).
 * Classifying frames from them skips the formatter Jest installs, whose source-map lookups
 * cost more than the capture; the text is made only for stacks that get reported.
 */
function callSitesOf(holder: StackHolder): NodeJS.CallSite[] | undefined {
  if (holder.sites) return holder.sites;
  if (holder.text !== undefined) return undefined;
  const previous = Error.prepareStackTrace;
  if (typeof previous !== 'function') {
    // Node's own formatting applies (its source maps, or the main realm's formatter when this
    // runs in a vm context): keep its text.
    const stack = holder.stack;
    holder.text = typeof stack === 'string' ? stack : '';
    return undefined;
  }
  let sites: NodeJS.CallSite[] | undefined;
  (Error as {prepareStackTrace?: unknown}).prepareStackTrace = (_error: Error, callSites: NodeJS.CallSite[]) => {
    sites = callSites;
    return '';
  };
  try {
    // Never formatted before (the usual case) when this runs the function above.
    const stack = holder.stack;
    if (!sites) holder.text = typeof stack === 'string' ? stack : '';
  } finally {
    (Error as {prepareStackTrace?: unknown}).prepareStackTrace = previous;
  }
  holder.sites = sites;
  return sites;
}

/**
 * Formats a captured stack once, keeping each frame's real function name. Jest installs
 * source-map-support, which maps positions (good) and renames frames after the
 * identifier at the call site (not the enclosing function, so "spawn" instead of
 * "startDaemon"); `topFunction` ignore rules need the real name.
 */
export function readStack(holder: StackHolder): string {
  if (holder.text !== undefined) return holder.text;
  const sites = callSitesOf(holder);
  if (!sites) return (holder.text ??= '');
  holder.functionNames = sites.map(site => {
    try {
      return site.getFunctionName();
    } catch {
      return null;
    }
  });
  const format = Error.prepareStackTrace as PrepareStackTrace | undefined;
  // V8's own frame text, without a header line (parsing drops it anyway).
  const framesText = (): string => sites.map(site => `\n    at ${String(site)}`).join('');
  let text: unknown;
  try {
    // Jest's formatter (source maps) when there is one. The header line it adds for the
    // holder is not a frame and is dropped by parsing.
    text = format ? format(holder as Error, sites) : framesText();
  } catch {
    text = framesText();
  }
  holder.text = typeof text === 'string' ? text : '';
  // Call sites hold each frame's function and receiver: drop them once they are text.
  holder.sites = undefined;
  return holder.text;
}

/**
 * Where each frame's code comes from (node, self, tool, library, user), from the call sites
 * without formatting: what deciding whether the runner made a resource needs. Undefined when
 * the stack was already formatted (parse its text instead).
 */
export function stackOrigins(holder: StackHolder): Array<StackFrame['origin']> | undefined {
  const sites = callSitesOf(holder);
  if (!sites) return undefined;
  return sites.map(site => {
    let file: string | null | undefined;
    try {
      file = site.getFileName();
    } catch {
      file = undefined;
    }
    return file ? classifyFile(toFilePath(file)) : 'node';
  });
}

/** Frames Leakwatch and Node add between user code and the capture point. */
const CAPTURE_HEADROOM = 8;

export function captureStack(depth: number, above: Function): StackHolder {
  const holder: StackHolder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = depth + CAPTURE_HEADROOM;
  Error.captureStackTrace(holder, above);
  Error.stackTraceLimit = limit;
  return holder;
}

export interface StackFrame {
  /** The frame text without the leading `at `. */
  text: string;
  functionName: string | undefined;
  file: string | undefined;
  line: number | undefined;
  column: number | undefined;
  /** `self`: Leakwatch's own wrappers, transparent: never the creator, never shown. */
  origin: 'node' | 'self' | 'tool' | 'library' | 'user';
}

// `at fn (file:1:2)`, `at file:1:2`, `at async fn (file:1:2)`, `at new Foo (file:1:2)`
const FRAME_WITH_FUNCTION = /^at (?:async )?(.*?) \((.*):(\d+):(\d+)\)$/;
const FRAME_WITHOUT_FUNCTION = /^at (?:async )?(.*):(\d+):(\d+)$/;

/**
 * Packages whose frames are the test runner's or Leakwatch's own: a resource whose
 * stack holds nothing else was not caused by the user (circus timeouts, transform-cache
 * writes, fake-timer internals).
 */
const TOOL_PACKAGES =
  /[\\/]node_modules[\\/](?:jest|jest-[^\\/]+|@jest[\\/][^\\/]+|expect|@sinonjs[\\/][^\\/]+|pretty-format|write-file-atomic|signal-exit|babel-jest|ts-jest|@babel[\\/][^\\/]+|source-map-support|jest-environment-leakwatch|@leakwatch[\\/][^\\/]+)[\\/]/;

/** Leakwatch's own source/dist folders when run from this monorepo (not via node_modules). */
const ownPackageRoots: string[] = [path.resolve(__dirname, '..', '..')];

/** Lets the environment package mark its own folder as tool code. */
export function registerToolRoot(dir: string): void {
  const resolved = path.resolve(dir);
  if (!ownPackageRoots.includes(resolved)) ownPackageRoots.push(resolved);
}

const SELF_PACKAGES = /[\\/]node_modules[\\/](?:jest-environment-leakwatch|@leakwatch[\\/][^\\/]+)[\\/]/;

function classifyFile(file: string): StackFrame['origin'] {
  if (file.startsWith('node:') || !path.isAbsolute(file)) return 'node';
  if (SELF_PACKAGES.test(file)) return 'self';
  if (TOOL_PACKAGES.test(file)) return 'tool';
  for (const root of ownPackageRoots) {
    if (file.startsWith(root + path.sep) && !file.includes(`${path.sep}__tests__${path.sep}`)) return 'self';
  }
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return 'library';
  return 'user';
}

/** A frame's location as a path: ES module frames name a `file://` URL. */
function toFilePath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return new URL(location).pathname;
  } catch {
    return location;
  }
}

export function parseFrame(line: string): StackFrame | undefined {
  const text = line.trim();
  if (!text.startsWith('at ')) return undefined;
  let functionName: string | undefined;
  let location: string;
  let lineNumber: string | undefined;
  let columnNumber: string | undefined;
  const withFunction = FRAME_WITH_FUNCTION.exec(text);
  if (withFunction) {
    functionName = withFunction[1];
    location = withFunction[2]!;
    lineNumber = withFunction[3];
    columnNumber = withFunction[4];
  } else {
    const withoutFunction = FRAME_WITHOUT_FUNCTION.exec(text);
    if (!withoutFunction) {
      return {text: text.slice(3), functionName: undefined, file: undefined, line: undefined, column: undefined, origin: 'node'};
    }
    location = withoutFunction[1]!;
    lineNumber = withoutFunction[2];
    columnNumber = withoutFunction[3];
  }
  const file = toFilePath(location);
  return {
    text: text.slice(3),
    functionName: functionName === '<anonymous>' ? undefined : functionName,
    file,
    line: lineNumber === undefined ? undefined : Number(lineNumber),
    column: columnNumber === undefined ? undefined : Number(columnNumber),
    origin: classifyFile(file),
  };
}

/** Parses a formatted stack (or a captured holder), dropping the message line(s). */
export function parseStack(stack: string | StackHolder | undefined): StackFrame[] {
  if (!stack) return [];
  const text = typeof stack === 'string' ? stack : readStack(stack);
  const names = typeof stack === 'string' ? undefined : stack.functionNames;
  const frames: StackFrame[] = [];
  for (const line of text.split('\n')) {
    const frame = parseFrame(line);
    if (!frame) continue;
    const realName = names?.[frames.length];
    if (realName) frame.functionName = realName;
    frames.push(frame);
  }
  return frames;
}

/** Frames worth showing: user and library frames, Node and tool frames dropped. */
export function visibleFrames(frames: readonly StackFrame[], depth: number): StackFrame[] {
  return frames.filter(frame => frame.origin === 'user' || frame.origin === 'library').slice(0, depth);
}

/** Where to point the user: the first frame in their code, else the first library frame. */
export function locateFrame(frames: readonly StackFrame[]): StackFrame | undefined {
  return frames.find(frame => frame.origin === 'user' && frame.line !== undefined) ??
    frames.find(frame => frame.origin === 'library' && frame.line !== undefined);
}

export function toRelative(rootDir: string, file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(rootDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

export function toLocation(rootDir: string, frame: StackFrame | undefined): SourceLocation | undefined {
  if (!frame || frame.file === undefined || frame.line === undefined) return undefined;
  return {file: toRelative(rootDir, frame.file), line: frame.line, column: frame.column ?? 0};
}

/** Frame text with its path made relative to rootDir, for reports. */
export function relativeFrameText(rootDir: string, frame: StackFrame): string {
  if (!frame.file || !path.isAbsolute(frame.file)) return frame.text;
  const relative = toRelative(rootDir, frame.file);
  // Split/join instead of String.replace: the path is user text.
  return frame.text.split(frame.file).join(relative);
}
