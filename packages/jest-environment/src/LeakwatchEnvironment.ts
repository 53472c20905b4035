import * as path from 'node:path';
import type {EnvironmentContext, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import {TestEnvironment as NodeEnvironment} from 'jest-environment-node';
import {
  FileProbes,
  RUN_DIR_ENV,
  SIDECAR_VERSION,
  describeLeak,
  isPromise,
  isRunnerMade,
  registerToolRoot,
  reporterRunDir,
  resolveOptions,
  settleBudget,
  thenMaybe,
  trackResources,
  writeSidecar,
  type FileSidecar,
  type Finding,
  type HandleKind,
  type MaybePromise,
  type Owner,
  type ResolvedOptions,
  type ResourceRecord,
  type SettledResource,
  type SidecarTest,
  type Tracker,
} from '@leakwatch/core';
import {mergeFileOptions} from './mergeFileOptions';
import {RunnerContextRelease} from './runnerContext';

// Frames from this package are Leakwatch's, never the user's.
registerToolRoot(path.resolve(__dirname, '..'));

/** The key under `testEnvironmentOptions` that holds Leakwatch's options. */
export const OPTIONS_KEY = 'leakwatch';

const ORIGINAL_FN = Symbol('leakwatch.originalFn');

type TestEntry = Circus.TestEntry;
type DescribeBlock = Circus.DescribeBlock;
type HookFn = (...args: any[]) => unknown;
type Wrapped = HookFn & {[ORIGINAL_FN]?: HookFn};

const FILE_OWNER: Owner = Object.freeze({scope: 'file', scopePath: Object.freeze([]) as readonly string[]});

function titlePathOf(block: DescribeBlock | undefined): string[] {
  const titles: string[] = [];
  for (let current = block; current?.parent; current = current.parent) titles.unshift(current.name);
  return titles;
}

function keyOf(titlePath: readonly string[]): string {
  return JSON.stringify(titlePath);
}

/**
 * Runs `fn` as `owner`: every resource it creates, now or after an `await`, is caused by
 * `owner`. Keeps `length` (circus decides between done-callback and promise by it) and
 * `this` (the test context). The wrapper is the only frame it adds between the test and
 * circus, and this package builds to `build/` without source maps, so that Jest's failure
 * output drops that frame as it drops its own packages' (a path segment with "jest" in
 * it followed by `/build/`).
 */
function wrapAs(tracker: Tracker, owner: Owner, fn: HookFn): Wrapped {
  const original = (fn as Wrapped)[ORIGINAL_FN] ?? fn;
  // Generators are driven by circus through co(); leave them alone (they get the fallback owner).
  if (original.constructor?.name === 'GeneratorFunction') return original;
  const wrapped: Wrapped = function (this: unknown, ...args: unknown[]) {
    const scope = tracker.enter(owner);
    try {
      return original.apply(this, args);
    } finally {
      tracker.exit(scope);
    }
  };
  Object.defineProperty(wrapped, 'length', {value: original.length});
  Object.defineProperty(wrapped, 'name', {value: original.name});
  wrapped[ORIGINAL_FN] = original;
  return wrapped;
}

interface HookLike {
  type: string;
  fn: unknown;
  parent?: {parent?: unknown; hooks?: readonly unknown[]};
}

/**
 * jest-circus adds one beforeEach to every file (29 and 30: resetModules, clearMocks, …) from
 * its own code, before setup files and the test file add theirs: the first hook of the root
 * block, an anonymous function of the runner's realm. Test code runs in the vm context, and a
 * core-module function it passes is named (bound ones too: "bound close").
 */
export function isRunnerHook(hook: HookLike): boolean {
  return (
    hook.type === 'beforeEach' &&
    hook.fn instanceof Function &&
    hook.fn.name === '' &&
    hook.parent !== undefined &&
    hook.parent.parent === undefined &&
    hook.parent.hooks?.[0] === hook
  );
}

function unwrap(fn: HookFn | undefined): HookFn | undefined {
  return fn ? ((fn as Wrapped)[ORIGINAL_FN] ?? fn) : fn;
}

/**
 * Jest environment that reports the resources each test leaves behind: extends
 * jest-environment-node, tracks what tests create, fails the test that leaked.
 */
export class LeakwatchEnvironment extends NodeEnvironment {
  private readonly options: ResolvedOptions;
  private readonly tracker: Tracker | undefined;
  /** Memory, state (globals/env/cwd/listeners/watchState) and trackResource probes. */
  private readonly probes: FileProbes | undefined;
  private readonly testPath: string;
  private readonly rootDir: string;
  private readonly projectRootDir: string;
  private readonly projectId: string;
  private readonly runDir: string;
  private readonly testOwners = new WeakMap<TestEntry, Owner>();
  private readonly describeOwners = new WeakMap<DescribeBlock, Owner>();
  private readonly sidecarTests = new Map<string, SidecarTest>();
  private readonly fileFindings: Finding[] = [];
  private readonly pendingFileErrors: Error[] = [];
  private readonly warnings: string[] = [];
  private readonly leaked: SettledResource[] = [];
  /** jest-circus's per-file AsyncLocalStorage, released at teardown (part of `cleanup`). */
  private readonly runnerContext: RunnerContextRelease | undefined;
  /** The test whose window we are in, for resources no owner reached (not for concurrent tests). */
  private windowTest: TestEntry | undefined;
  private tornDown = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const {projectConfig} = config;
    this.testPath = context.testPath;
    // The report is relative to the run's rootDir; in a multi-project run that is not the project's.
    this.rootDir = config.globalConfig.rootDir ?? projectConfig.rootDir;
    this.projectRootDir = projectConfig.rootDir;
    this.projectId = projectConfig.id;
    // Invalid options are a configuration error: fail the file loudly, with the message.
    this.options = resolveOptions(
      mergeFileOptions((projectConfig.testEnvironmentOptions as Record<string, unknown>)[OPTIONS_KEY], context.docblockPragmas),
    );
    this.runDir = findRunDir(config, this.options);
    try {
      if (this.options.cleanup) this.runnerContext = RunnerContextRelease.start();
    } catch (error) {
      this.warn("could not watch for the test runner's async context", error);
    }
    try {
      // Start now: setupFiles run before setup().
      this.tracker = trackResources({
        stackDepth: this.options.stackDepth,
        fallbackOwner: () => (this.windowTest ? this.ownerOfTest(this.windowTest) : FILE_OWNER),
      });
    } catch (error) {
      this.warn('could not start resource tracking', error);
    }
    try {
      // Now, like the tracker: watchState/trackResource registries must exist before setupFiles.
      this.probes = new FileProbes(
        {
          global: this.global,
          context: this.getVmContext() ?? undefined,
          sandboxProcess: this.global.process as never,
          testPath: this.testPath,
          rootDir: this.rootDir,
          options: this.options,
          // Jest copies every testEnvironmentOptions key onto the sandbox global.
          allowGlobals: Object.keys(projectConfig.testEnvironmentOptions ?? {}),
          // Names the opener when Node closes a leaked FileHandle on GC.
          tracker: this.tracker,
        },
        {
          addTestFinding: (titlePath, finding) => this.addFinding(this.sidecarTest(titlePath).findings, finding),
          addFileFinding: finding => this.addFinding(this.fileFindings, finding),
          setTestMemoryDelta: (titlePath, bytes) => {
            this.sidecarTest(titlePath).memoryDeltaBytes = bytes;
          },
        },
      );
    } catch (error) {
      this.warn('memory and state probes disabled', error);
    }
  }

  /**
   * Synchronous for every event that needs no waiting (circus awaits what this returns; an
   * async function here would cost each test a dozen promises and microtask turns).
   */
  handleTestEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    // Never throw: Jest would drop every per-test result of the file.
    try {
      const pending = this.onEvent(event, state);
      if (isPromise(pending)) return pending.catch(error => this.warn(`internal error while handling "${event.name}"`, error));
    } catch (error) {
      this.warn(`internal error while handling "${event.name}"`, error);
    }
  }

  override async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    try {
      if (this.options.cleanup) {
        for (const {record} of this.leaked) record.dispose();
      }
    } catch (error) {
      this.warn('cleanup of leaked resources failed', error);
    }
    try {
      this.tracker?.stop();
    } catch (error) {
      this.warn('could not restore instrumentation', error);
    }
    try {
      this.runnerContext?.release();
    } catch (error) {
      this.warn("could not release the test runner's async context", error);
    }
    try {
      await super.teardown();
    } catch (error) {
      this.warn('jest-environment-node teardown failed', error);
    }
    try {
      await this.probes?.afterTeardown();
    } catch (error) {
      this.warn('memory probe after teardown failed', error);
    }
    this.writeSidecar();
  }

  private onEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    // A probe failing must not stop handle tracking for this event (FileProbes never throws
    // nor rejects; this guards the contract).
    if (this.runnerContext) {
      if (event.name === 'test_start') this.runnerContext.identify('test', event.test);
      else if (event.name === 'hook_start') this.runnerContext.identify('hook', event.hook);
    }
    let probing: MaybePromise<void> = undefined;
    try {
      probing = this.probes?.handleTestEvent(event, state);
    } catch (error) {
      this.warn(`memory/state probes failed on "${event.name}"`, error);
    }
    if (isPromise(probing)) return probing.then(() => this.onTrackerEvent(event, state));
    return this.onTrackerEvent(event, state);
  }

  private onTrackerEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    const tracker = this.tracker;
    if (!tracker) return;
    switch (event.name) {
      case 'test_start':
        if (!event.test.concurrent) this.windowTest = event.test;
        return;
      case 'hook_start': {
        const {hook} = event;
        tracker.ignoreNextRunnerTimer();
        // jest-circus's own beforeEach (mocks and module registry resets), from the runner's
        // realm: what it creates is runner-made and never reported, so it runs unwrapped
        // (wrapping cost each test ~9 µs on Jest 29).
        if (isRunnerHook(hook)) return;
        const owner = this.ownerOfHook(hook, state);
        hook.fn = wrapAs(tracker, owner, hook.fn as HookFn) as typeof hook.fn;
        return;
      }
      case 'hook_success':
      case 'hook_failure':
        event.hook.fn = unwrap(event.hook.fn as HookFn) as typeof event.hook.fn;
        return;
      case 'test_fn_start':
        if (event.test.fn) {
          event.test.fn = wrapAs(tracker, this.ownerOfTest(event.test), event.test.fn as HookFn) as typeof event.test.fn;
          tracker.ignoreNextRunnerTimer();
        }
        return;
      case 'test_fn_success':
      case 'test_fn_failure':
        event.test.fn = unwrap(event.test.fn as HookFn) as typeof event.test.fn;
        return;
      case 'test_done':
        return thenMaybe(this.checkTest(event.test), () => {
          if (this.windowTest === event.test) this.windowTest = undefined;
        });
      case 'run_describe_finish':
        if (event.describeBlock.parent) return this.checkDescribe(event.describeBlock);
        return;
      case 'run_finish':
        return this.checkFile(state);
      default:
        return;
    }
  }

  private ownerOfTest(test: TestEntry): Owner {
    let owner = this.testOwners.get(test);
    if (!owner) {
      owner = Object.freeze({scope: 'test', scopePath: Object.freeze([...titlePathOf(test.parent), test.name])});
      this.testOwners.set(test, owner);
    }
    return owner;
  }

  private ownerOfDescribe(block: DescribeBlock): Owner {
    if (!block.parent) return FILE_OWNER;
    let owner = this.describeOwners.get(block);
    if (!owner) {
      owner = Object.freeze({scope: 'describe', scopePath: Object.freeze(titlePathOf(block))});
      this.describeOwners.set(block, owner);
    }
    return owner;
  }

  private ownerOfHook(hook: Circus.Hook, state: Circus.State): Owner {
    if (hook.type === 'beforeEach' || hook.type === 'afterEach') {
      const test = state.currentlyRunningTest;
      return test ? this.ownerOfTest(test) : FILE_OWNER;
    }
    return this.ownerOfDescribe(hook.parent);
  }

  private settleMsFor = (kind: HandleKind): number => settleBudget(this.options, kind);

  /** The selected records still alive once closing ones had their settle budget. */
  private settle(select: (record: ResourceRecord) => boolean): MaybePromise<SettledResource[]> {
    return this.tracker!.settle({select, settleMsFor: this.settleMsFor, includeUnref: this.options.reportUnref, exclude: isRunnerMade});
  }

  private checkTest(test: TestEntry): MaybePromise<void> {
    const owner = this.ownerOfTest(test);
    return thenMaybe(this.settle(record => record.owner === owner), settled => {
      if (settled.length > 0) {
        const entry = this.sidecarTest(owner.scopePath);
        for (const resource of settled) {
          resource.record.reported = true;
          const leak = this.describe(resource, owner, 'this test');
          if (!leak) continue;
          this.addFinding(entry.findings, leak.finding);
          if (resource.liveness === 'alive') this.leaked.push(resource);
          if (leak.finding.severity === 'error') test.errors.push(leak.error);
        }
      }
      this.tracker!.prune();
    });
  }

  private checkDescribe(block: DescribeBlock): MaybePromise<void> {
    const owner = this.ownerOfDescribe(block);
    return thenMaybe(this.settle(record => record.owner === owner), settled => this.recordScopeLeaks(settled));
  }

  private checkFile(state: Circus.State): MaybePromise<void> {
    // File-scoped resources, plus anything a test or describe block created after it was checked
    // (an un-awaited chain that outlived its test still belongs to that test).
    return thenMaybe(this.settle(() => true), settled => {
      this.recordScopeLeaks(settled);
      this.checkUnexplainedGrowth();
      for (const error of this.pendingFileErrors) state.unhandledErrors.push(error as never);
      this.pendingFileErrors.length = 0;
    });
  }

  private recordScopeLeaks(settled: SettledResource[]): void {
    for (const resource of settled) {
      resource.record.reported = true;
      const owner = resource.record.owner ?? FILE_OWNER;
      const leak = this.describe(resource, owner);
      if (!leak) continue;
      if (owner.scope === 'test') this.addFinding(this.sidecarTest(owner.scopePath).findings, leak.finding);
      else this.addFinding(this.fileFindings, leak.finding);
      if (resource.liveness === 'alive') this.leaked.push(resource);
      if (leak.finding.severity === 'error') this.pendingFileErrors.push(leak.error);
    }
    this.tracker!.prune();
  }

  private describe(resource: SettledResource, owner: Owner, subject?: string) {
    subject ??=
      owner.scope === 'test'
        ? `test "${owner.scopePath.join(' › ')}" (after it finished)`
        : owner.scope === 'describe'
          ? `describe block "${owner.scopePath.join(' › ')}"`
          : 'this file';
    return describeLeak(resource, owner.scope, owner.scopePath, {rootDir: this.rootDir, projectRootDir: this.projectRootDir, testPath: this.testPath, options: this.options}, subject);
  }

  /** Active handles Node reports that no record explains: a gap in instrumentation shows up instead of hiding. */
  private checkUnexplainedGrowth(): void {
    const severity = this.options.severity.other;
    if (severity === 'off') return;
    const growth = this.tracker!.unexplainedGrowth();
    for (const [type, count] of Object.entries(growth).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.addFinding(this.fileFindings, {
        id: `unexplained-${type}`,
        kind: 'other',
        severity,
        scope: 'file',
        scopePath: [],
        resourceType: type,
        message: `this file left ${count} more active ${type} resource${count === 1 ? '' : 's'} than it started with, created where Leakwatch could not see`,
        stack: [],
        details: {count, source: 'process.getActiveResourcesInfo'},
      });
    }
  }

  private sidecarTest(titlePath: readonly string[]): SidecarTest {
    const key = keyOf(titlePath);
    let entry = this.sidecarTests.get(key);
    if (!entry) {
      entry = {titlePath: [...titlePath], findings: []};
      this.sidecarTests.set(key, entry);
    }
    return entry;
  }

  /** Retries and repeated leaks from one line collapse into one finding with a count. */
  private addFinding(list: Finding[], finding: Finding): void {
    const existing = list.find(candidate => candidate.id === finding.id);
    if (existing) {
      existing.details = {...existing.details, occurrences: ((existing.details.occurrences as number | undefined) ?? 1) + 1};
      return;
    }
    list.push(finding);
  }

  private warn(what: string, error?: unknown): void {
    const reason = error instanceof Error ? error.message : error === undefined ? '' : String(error);
    this.warnings.push(reason ? `${what}: ${reason}` : what);
  }

  private writeSidecar(): void {
    const sidecar: FileSidecar = {
      sidecarVersion: SIDECAR_VERSION,
      testPath: this.testPath,
      projectId: this.projectId,
      rootDir: this.rootDir,
      options: this.options.raw,
      findings: this.fileFindings,
      tests: [...this.sidecarTests.values()],
      warnings: [...this.warnings, ...(this.probes?.allWarnings() ?? [])],
      ...(this.probes?.memoryRecord() ? {memory: this.probes.memoryRecord()} : {}),
      node: {version: process.version},
      instrumented: this.tracker !== undefined,
    };
    try {
      writeSidecar(this.runDir, sidecar);
    } catch {
      // Nothing to tell it to: the reporter will mark this file's leak status unknown.
    }
  }
}

/**
 * Where the reporter expects this file's sidecar: the variable its constructor set; else
 * the options of a Leakwatch reporter in the config; else our own outputDir option; else
 * the project's cache directory.
 */
export function findRunDir({globalConfig, projectConfig}: JestEnvironmentConfig, options: ResolvedOptions): string {
  const fromEnv = process.env[RUN_DIR_ENV];
  if (fromEnv) return fromEnv;
  for (const reporter of globalConfig.reporters ?? []) {
    const [name, reporterOptions] = Array.isArray(reporter) ? reporter : [reporter, {}];
    if (typeof name === 'string' && /(@leakwatch[\\/]jest-reporter|jest-reporter[\\/]dist)/.test(name)) {
      const outputDir = (reporterOptions as {outputDir?: unknown}).outputDir;
      return reporterRunDir(globalConfig.rootDir, typeof outputDir === 'string' ? outputDir : undefined);
    }
  }
  if (options.outputDir) return reporterRunDir(projectConfig.rootDir, options.outputDir);
  return path.join(projectConfig.cacheDirectory, 'leakwatch');
}

export const TestEnvironment = LeakwatchEnvironment;
export default LeakwatchEnvironment;
