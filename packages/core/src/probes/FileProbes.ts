import * as path from 'node:path';
import {watchFileHandleGc, type FdOrigin} from '../gc/fileHandleWarnings';
import {GcTracker, installGcTracker, type TrackOwner, type UnclosedRecord} from '../gc/trackResource';
import {unclosedToFinding} from '../gc/unclosedFindings';
import {getGc, nextTurn} from '../memory/gc';
import {MemoryProbe} from '../memory/MemoryProbe';
import type {Finding, MemoryRecord, SourceLocation} from '../model';
import type {ResolvedOptions} from '../options';
import type {ProcessLike} from '../state/snapshotState';
import {readStack, type StackHolder} from '../tracker/stack';
import {StateMonitor} from '../state/StateMonitor';
import {isPromise, then, type MaybePromise} from '../util/maybePromise';

/** The parts of a jest-circus event the probes read (structural: core imports no Jest). */
export interface ProbeTest {
  name: string;
  concurrent?: boolean;
  parent?: ProbeBlock;
  errors: unknown[];
}
interface ProbeBlock {
  name: string;
  parent?: ProbeBlock;
}
export interface ProbeEvent {
  name: string;
  test?: ProbeTest;
}
export interface ProbeState {
  unhandledErrors: unknown[];
}

/** Where findings go: the environment's sidecar. */
export interface ProbeSink {
  addTestFinding(titlePath: string[], finding: Finding): void;
  addFileFinding(finding: Finding): void;
  setTestMemoryDelta(titlePath: string[], bytes: number): void;
}

export interface FileProbesOptions {
  /** The sandbox global (test code's globalThis). */
  global: object;
  /** The vm context behind it (cheaper per-test state snapshots). @default global */
  context?: object;
  /** The sandbox's `process` copy. */
  sandboxProcess?: ProcessLike;
  /** @default process */
  realProcess?: ProcessLike & NodeJS.EventEmitter;
  testPath: string;
  rootDir: string;
  options: ResolvedOptions;
  /** Globals that may change: the testEnvironmentOptions keys (Jest copies each onto the global). */
  allowGlobals?: string[];
  /** Who is running now (the resource tracker's async owner); default: the current test. */
  currentOwner?: () => TrackOwner | undefined;
  /** Opening stack and owner of an fd, for Node's FileHandle-collected warning. */
  lookupFd?: (fd: number) => FdOrigin | undefined;
  /**
   * The resource tracker: its `fs.promises.open` records name the opener of a FileHandle
   * that Node later closes on GC (read before the tracker prunes them at test end).
   */
  tracker?: {
    records(): ReadonlyArray<{
      type: string;
      stack: StackHolder;
      owner: {readonly scope: TrackOwner['scope']; readonly scopePath: readonly string[]} | undefined;
      details(): Record<string, unknown>;
    }>;
  };
}

function titlePathOf(test: ProbeTest): string[] {
  const titles = [test.name];
  for (let block = test.parent; block?.parent; block = block.parent) titles.unshift(block.name);
  return titles;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function findingError(finding: Finding): Error {
  const error = new Error(`Leakwatch: ${finding.message}`);
  error.name = `LeakwatchError[${finding.kind}]`;
  error.stack = `${error.name}: ${error.message}${finding.stack.map(frame => `\n    at ${frame}`).join('')}`;
  return error;
}

/**
 * Memory, state, and GC-without-close probes for one test file. The environment creates
 * it in its constructor (so `watchState` / `trackResource` registries exist before
 * setupFiles run), forwards circus events to `handleTestEvent`, and calls `afterTeardown`
 * after its own teardown. Never throws: failures become `warnings`.
 */
export class FileProbes {
  readonly warnings: string[] = [];
  private readonly opts: FileProbesOptions;
  private readonly sink: ProbeSink;
  private readonly file: string;
  private readonly state: StateMonitor | undefined;
  private readonly memory: MemoryProbe | undefined;
  private readonly gcTracker: GcTracker | undefined;
  private stopFdWatch: (() => void) | undefined;
  private currentTest: string[] | undefined;
  /**
   * True from a test's test_done (or run_start) until the next event, while the microtask
   * queue has not drained: only then can no timer, I/O callback or hook have run since the
   * state snapshot there, and the next test_start reuses it.
   */
  private continuing = false;
  /** A tick that clears `continuing` is queued and has not run yet. */
  private clearQueued = false;
  /** fd → who opened the FileHandle, latest opener wins (fds are reused). */
  private readonly fileHandleOrigins = new Map<number, {stack: StackHolder; owner: TrackOwner | undefined; path: unknown}>();

  constructor(opts: FileProbesOptions, sink: ProbeSink) {
    this.opts = opts;
    this.sink = sink;
    this.file = path.relative(opts.rootDir, opts.testPath).split(path.sep).join('/');
    const {options} = opts;
    const severity = options.severity;
    try {
      const stateKinds = ['global', 'env', 'cwd', 'process-listener', 'state'] as const;
      if (options.state.enabled && stateKinds.some(kind => severity[kind] !== 'off')) {
        this.state = new StateMonitor({
          global: opts.global,
          context: opts.context,
          sandboxProcess: opts.sandboxProcess,
          realProcess: opts.realProcess,
          allowGlobals: ['leakwatch', ...(opts.allowGlobals ?? []), ...options.state.allowGlobals],
          file: this.file,
          severity: Object.fromEntries(stateKinds.map(kind => [kind, severity[kind]])),
        });
      }
    } catch (error) {
      this.warnings.push(`state snapshots disabled: ${messageOf(error)}`);
    }
    try {
      if (severity.memory !== 'off' && (options.memory.perFile || options.memory.perTest)) {
        this.memory = new MemoryProbe(options.memory);
      }
    } catch (error) {
      this.warnings.push(`memory probe disabled: ${messageOf(error)}`);
    }
    try {
      if (severity['unclosed-gc'] !== 'off') {
        this.gcTracker = new GcTracker({
          stackDepth: options.stackDepth,
          currentOwner: opts.currentOwner ?? (() => (this.currentTest ? {scope: 'test', scopePath: this.currentTest} : {scope: 'file', scopePath: []})),
        });
        installGcTracker(opts.global, this.gcTracker);
        const tracker = this.gcTracker;
        this.stopFdWatch = watchFileHandleGc(opts.realProcess ?? process, record => tracker.report(record), fd => this.lookupFd(fd));
      }
    } catch (error) {
      this.warnings.push(`GC-without-close tracking disabled: ${messageOf(error)}`);
    }
  }

  /** Synchronous unless a memory reading has to wait for a GC turn (see MaybePromise). */
  handleTestEvent(event: ProbeEvent, state: ProbeState): MaybePromise<void> {
    // A describe block's boundaries run no user code: its beforeAll/afterAll come as hook
    // events, which end the reuse. (Ending it here cost each block's first test a fresh snapshot.)
    if (event.name === 'run_describe_start' || event.name === 'run_describe_finish') return;
    const continuing = this.continuing;
    this.continuing = false;
    try {
      let pending: MaybePromise<void>;
      switch (event.name) {
        case 'run_start':
          if (this.state) {
            this.state.fileStart();
            this.armContinuing();
          }
          pending = this.memory?.fileStart();
          break;
        case 'test_start':
          if (!event.test || event.test.concurrent) return;
          this.currentTest = titlePathOf(event.test);
          this.state?.testStart(continuing);
          pending = this.memory?.testStart();
          break;
        case 'test_done':
          if (!event.test || event.test.concurrent) return;
          pending = this.testDone(event.test);
          break;
        case 'run_finish':
          pending = then(this.runFinish(), findings => {
            for (const finding of findings) {
              if (finding.severity === 'error') state.unhandledErrors.push(findingError(finding));
            }
          });
          break;
        default:
          return;
      }
      if (isPromise(pending)) return pending.catch(error => this.probeFailed(event.name, error));
    } catch (error) {
      this.probeFailed(event.name, error);
    }
  }

  private probeFailed(eventName: string, error: unknown): void {
    this.warnings.push(`memory/state probe failed at "${eventName}": ${messageOf(error)}`);
  }

  /** After the environment's teardown: memory still reachable, last GC'd resources. */
  async afterTeardown(): Promise<void> {
    try {
      this.stopFdWatch?.();
      this.stopFdWatch = undefined;
      await this.memory?.afterTeardown();
      for (const finding of this.memory?.fileFindings(this.file, this.opts.options.severity.memory) ?? []) {
        if (finding.resourceType === 'heap-after-teardown') this.sink.addFileFinding(finding);
      }
      this.drainUnclosed();
    } catch (error) {
      this.warnings.push(`memory probe failed after teardown: ${messageOf(error)}`);
    }
  }

  memoryRecord(): MemoryRecord | undefined {
    return this.memory?.record();
  }

  /** Warnings of all probes (call once, after afterTeardown). */
  allWarnings(): string[] {
    return [...this.warnings, ...(this.state?.warnings ?? []), ...(this.memory?.warnings ?? [])];
  }

  private lookupFd(fd: number): FdOrigin | undefined {
    const fromOption = this.opts.lookupFd?.(fd);
    if (fromOption) return fromOption;
    // The warning can come before test_done, while the tracker still holds the record.
    this.rememberFileHandles();
    const origin = this.fileHandleOrigins.get(fd);
    if (!origin) return undefined;
    const stack = readStack(origin.stack)
      .split('\n')
      .map(line => line.trim())
      .filter(line => line.startsWith('at '))
      .map(line => line.slice(3));
    return {stack, ...(origin.owner ? {owner: origin.owner} : {}), ...(typeof origin.path === 'string' ? {path: origin.path} : {})};
  }

  private rememberFileHandles(): void {
    const tracker = this.opts.tracker;
    if (!tracker || !this.gcTracker) return;
    for (const record of tracker.records()) {
      if (record.type !== 'fs.promises.open') continue;
      const details = record.details();
      if (typeof details.fd !== 'number') continue;
      const owner = record.owner ? {scope: record.owner.scope, scopePath: [...record.owner.scopePath]} : undefined;
      this.fileHandleOrigins.set(details.fd, {stack: record.stack, owner, path: details.path});
    }
  }

  private testDone(test: ProbeTest): MaybePromise<void> {
    this.rememberFileHandles();
    const titlePath = titlePathOf(test);
    this.currentTest = undefined;
    const findings: Finding[] = [...(this.state?.testEnd(titlePath) ?? [])];
    if (this.state) this.armContinuing();
    return then(this.memory?.testEnd(), measurement => {
      if (measurement && this.memory) {
        this.sink.setTestMemoryDelta(titlePath, measurement.growthBytes);
        const finding = this.memory.testFinding(this.file, titlePath, measurement, this.opts.options.severity.memory);
        if (finding) findings.push(finding);
      }
      for (const finding of findings) {
        this.sink.addTestFinding(titlePath, finding);
        if (finding.severity === 'error') test.errors.push(findingError(finding));
      }
      this.drainUnclosed(test);
    });
  }

  private armContinuing(): void {
    this.continuing = true;
    // Armed inside a microtask (circus awaits every dispatch), this tick runs once the
    // microtask queue is empty, before any timer or I/O callback. A test_start that comes
    // first was reached by circus's await chain alone (e.g. no settle wait for the test's
    // timers); armed from synchronous code it runs at once, so the next start is fresh.
    // Any other event (hooks, skipped and concurrent tests) clears it too; describe boundaries do not.
    // One queued tick serves every test_done until it runs: it runs when the queue that all of
    // them were armed in has drained (a tick per test cost ~7 us with the async hook on).
    if (this.clearQueued) return;
    this.clearQueued = true;
    process.nextTick(() => {
      this.clearQueued = false;
      this.continuing = false;
    });
  }

  private runFinish(): MaybePromise<Finding[]> {
    this.rememberFileHandles();
    const findings: Finding[] = [...(this.state?.fileEnd() ?? [])];
    const measured = this.memory ? this.memory.fileEnd() : undefined;
    return then(measured, measurement => {
      if (this.memory && measurement) {
        findings.push(...this.memory.fileFindings(this.file, this.opts.options.severity.memory).filter(f => f.resourceType === 'heap'));
      }
      for (const finding of findings) this.sink.addFileFinding(finding);
      const collected = this.gcTracker && this.gcTracker.pending > 0 ? this.collectTracked(this.gcTracker) : undefined;
      return then(collected, () => [...findings, ...this.drainUnclosed()]);
    });
  }

  /**
   * Objects tracked by trackResource are only judged once collected: two full GCs a turn
   * apart (finalizers run on the turn after the GC). Only paid when something is tracked
   * and still uncollected.
   */
  private async collectTracked(gcTracker: GcTracker): Promise<void> {
    const gc = getGc();
    gcTracker.sweep();
    for (let round = 0; round < 2; round++) {
      gc();
      await nextTurn();
    }
  }

  private drainUnclosed(test?: ProbeTest): Finding[] {
    if (!this.gcTracker) return [];
    const findings: Finding[] = [];
    for (const record of this.gcTracker.drain()) {
      const finding = unclosedToFinding(record, {
        file: this.file,
        severity: this.opts.options.severity['unclosed-gc'],
        formatStack: frames => this.formatStack(frames),
      });
      if (!finding) continue;
      findings.push(finding);
      if (finding.scope === 'test') {
        this.sink.addTestFinding(finding.scopePath, finding);
        // Only the running test can still fail; an earlier creator is named in the finding.
        if (finding.severity === 'error' && test && titlePathOf(test).join('\u0000') === finding.scopePath.join('\u0000')) {
          test.errors.push(findingError(finding));
        }
      } else {
        this.sink.addFileFinding(finding);
      }
    }
    return findings;
  }

  private formatStack(frames: string[]): {stack: string[]; location?: SourceLocation} {
    const root = this.opts.rootDir.endsWith(path.sep) ? this.opts.rootDir : this.opts.rootDir + path.sep;
    // Jest's and Leakwatch's own frames say nothing about the user's code.
    const userFrames = frames.filter(frame => !/[\\/]node_modules[\\/]|\(node:|^node:|<anonymous>\)?$/.test(frame));
    const stack = (userFrames.length > 0 ? userFrames : frames).map(frame => frame.split(root).join('').split(path.sep).join('/'));
    let location: SourceLocation | undefined;
    for (const frame of frames) {
      const match = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?$/.exec(frame);
      if (!match || /node_modules|node:internal/.test(match[1]!)) continue;
      const file = path.relative(this.opts.rootDir, match[1]!).split(path.sep).join('/');
      location = {file: file.startsWith('..') ? match[1]! : file, line: Number(match[2]), column: Number(match[3])};
      break;
    }
    return location ? {stack, location} : {stack};
  }
}

export type {UnclosedRecord};
