import * as path from 'node:path';
import type {SourceLocation} from '../model';

/**
 * Holds a captured, not yet formatted stack. V8 formats `.stack` on first read, which
 * costs as much as the capture again, so reading waits until a resource is reported.
 */
export interface StackHolder {
  stack?: string;
  /** Set by readStack: real function names per frame, before any source-map renaming. */
  functionNames?: Array<string | null>;
  /** Set by readStack: the formatted text, cached. */
  text?: string;
}

type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

/**
 * Formats a captured stack once, keeping each frame's real function name. Jest installs
 * source-map-support, which maps positions (good) and renames frames after the
 * identifier at the call site (not the enclosing function, so "spawn" instead of
 * "startDaemon"); `topFunction` ignore rules need the real name.
 */
export function readStack(holder: StackHolder): string {
  if (holder.text !== undefined) return holder.text;
  const previous = Error.prepareStackTrace as PrepareStackTrace | undefined;
  if (!previous) {
    // No user-land formatter: Node's own (with its source maps, if enabled) is the one to keep.
    const text = holder.stack;
    holder.text = typeof text === 'string' ? text : '';
    return holder.text;
  }
  let names: Array<string | null> | undefined;
  Error.prepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => {
    names = callSites.map(site => {
      try {
        return site.getFunctionName();
      } catch {
        return null;
      }
    });
    return previous(error, callSites);
  };
  try {
    const text = holder.stack;
    holder.text = typeof text === 'string' ? text : '';
  } finally {
    (Error as {prepareStackTrace?: unknown}).prepareStackTrace = previous;
  }
  holder.functionNames = names;
  return holder.text;
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
  let file = location;
  if (file.startsWith('file://')) {
    try {
      file = new URL(file).pathname;
    } catch {
      // keep as is
    }
  }
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
