import {AsyncLocalStorage, createHook, executionAsyncId, executionAsyncResource, type AsyncHook} from 'node:async_hooks';
// The module object itself, not an `import *` copy: patches must land where test code looks.
import fs = require('node:fs');
import net = require('node:net');
import type {HandleKind, Scope} from '../model';
import {ACTIVE_INFO_TYPE, TRACKED_TYPES, isTransientActiveType} from './classify';
import type {MaybePromise} from '../util/maybePromise';
import {STACK_NOT_TAKEN, captureStack, parseStack, type StackHolder} from './stack';

// Captured at load: fake timers replace the sandbox's globals, never these.
const realSetTimeout = setTimeout;
const realSetImmediate = setImmediate;

/** Who caused a resource: a test (incl. its each-hooks), a describe block's all-hooks, or the file. */
export interface Owner {
  readonly scope: Scope;
  /** Titles from the file root to the test or describe block; `[]` for the file. */
  readonly scopePath: readonly string[];
}

export type Liveness = 'alive' | 'unref' | 'closed';

/** One resource the tracker saw being created. */
export interface ResourceRecord {
  /** async id for hook-tracked resources; a negative serial for fs-API records. */
  readonly id: number;
  /** async_hooks type (`Timeout`, `TCPSERVERWRAP`, …) or API (`fs.openSync`, `fs.promises.open`, `fs.createReadStream`). */
  readonly type: string;
  readonly kind: HandleKind;
  readonly owner: Owner | undefined;
  /** True when the owner came down the async chain (proven cause), false when it is the fallback. */
  readonly causal: boolean;
  /** Creation stack; for resources created by Node without JS frames, the trigger's. */
  readonly stack: StackHolder;
  /** The native handle, while it exists (handle-based records only). */
  handle?(): object | undefined;
  /** A wrapper of the process's own stdio: alive, but never a leak (still counts for the cross-check). */
  stdio?(): boolean;
  /** Closed for judging, but libuv has not finished closing it (still counts for the cross-check). */
  closing?(): boolean;
  /** Where the user asked for it, when Node created the handle later (e.g. `listen` after a lookup). */
  callSiteStack?(): StackHolder | undefined;
  /** Set by the consumer once a finding was made, so it is not reported twice. */
  reported: boolean;
  liveness(): Liveness;
  /** Details for the report (address, path, pid, …), read while the resource is alive. */
  details(): Record<string, unknown>;
  /** Closes, clears or kills the resource; never throws. */
  dispose(): void;
}

export interface TrackerOptions {
  /** Frames kept per creation stack. */
  stackDepth: number;
  /** Owner for resources created outside any `runAs` context (module scope, setup files). */
  fallbackOwner?: () => Owner | undefined;
  /** Source of Node's active-resource names, injectable for tests. @default process.getActiveResourcesInfo */
  activeResourcesInfo?: () => string[];
}

export interface SettleOptions {
  /** Records to judge. */
  select: (record: ResourceRecord) => boolean;
  /** Longest wait for a record of this kind to close. */
  settleMsFor: (kind: HandleKind) => number;
  /** Include unref'd resources in the result (as `unref`). */
  includeUnref?: boolean;
  /** Live records never worth waiting for or reporting (asked only about live ones). */
  exclude?: (record: ResourceRecord) => boolean;
}

export interface SettledResource {
  record: ResourceRecord;
  liveness: Exclude<Liveness, 'closed'>;
}

declare const OWNER_SCOPE: unique symbol;
/** What `Tracker.enter` replaced; only `exit` reads it. */
export type OwnerScope = {readonly [OWNER_SCOPE]: never};

export interface Tracker {
  /** Runs `fn` with `owner` as the cause of every resource it creates, synchronously or later. */
  runAs<T>(owner: Owner, fn: () => T): T;
  /**
   * `runAs` in two halves, for a wrapper that must not put a frame of the tracker's between a
   * user's function and its caller (Jest prints those frames under every failure):
   * `owner` is the cause of what the current synchronous code creates, now or later, until
   * `exit(scope)`, which belongs in a `finally`.
   */
  enter(owner: Owner): OwnerScope;
  exit(scope: OwnerScope): void;
  /**
   * Waits (bounded exponential backoff) while selected records are still alive, then
   * returns those still alive. Synchronous, and nearly free, when none is alive.
   */
  settle(options: SettleOptions): MaybePromise<SettledResource[]>;
  /**
   * The runner is about to arm a timeout for a test or hook function: the next timer created
   * outside any owner's context, before the next `runAs`, is that one and is not tracked.
   * (jest-circus creates it synchronously right before calling the function; tracking it
   * would cost a stack capture per test for a timer that is never a leak.)
   */
  ignoreNextRunnerTimer(): void;
  /** Records currently held (alive or not yet pruned). */
  records(): readonly ResourceRecord[];
  /** Drops records that are closed, so their stacks (and what they reference) can be collected. */
  prune(): void;
  /**
   * `process.getActiveResourcesInfo()` growth since `start()` that no live record explains,
   * by Node's type name.
   */
  unexplainedGrowth(): Record<string, number>;
  /** Disables the hook and restores every patched function. Idempotent. */
  stop(): void;
}

const OWNER = Symbol('leakwatch.owner');
/** Stack of the last `listen()` call on a server, for handles Node creates after a lookup. */
const LISTEN_STACK = Symbol('leakwatch.listenStack');
const ORIGINAL = Symbol('leakwatch.original');
/** `enter` could not mark the current resource: `exit` has nothing to undo. */
const NOT_ENTERED = Symbol('leakwatch.notEntered');
type Owned = {[OWNER]?: Owner};

function ownerSymbolOf(object: object): symbol | undefined {
  return Object.getOwnPropertySymbols(object).find(symbol => symbol.description === 'owner_symbol');
}

/** The public object (net.Server, net.Socket, ChildProcess, FSWatcher) behind a native handle. */
function publicOwner(handle: object): any {
  const symbol = ownerSymbolOf(handle);
  return symbol ? (handle as any)[symbol] : undefined;
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function handleLiveness(handle: {hasRef?: () => boolean} | undefined): Liveness {
  if (!handle || typeof handle.hasRef !== 'function') return 'closed';
  // hasRef() is false for closed handles and for unref'd ones; tell them apart by the public object.
  if (handle.hasRef()) return 'alive';
  return 'unref';
}

/**
 * A socket or server whose close has begun: its public object let go of the handle (and a
 * socket is destroyed). libuv finishes the close on a later loop turn with no user code
 * involved, so waiting for it would only cost the check its time.
 */
function isClosing(type: string, handle: object): boolean {
  switch (type) {
    case 'TCPWRAP':
    case 'PIPEWRAP': {
      const owner = publicOwner(handle);
      return owner?.destroyed === true && owner._handle !== handle;
    }
    case 'TCPSERVERWRAP':
    case 'PIPESERVERWRAP': {
      const owner = publicOwner(handle);
      return owner !== undefined && owner !== null && owner._handle !== handle;
    }
    default:
      return false;
  }
}

function timerDetails(timer: any): Record<string, unknown> {
  return {
    api: timer._repeat ? 'setInterval' : 'setTimeout',
    delayMs: typeof timer._idleTimeout === 'number' ? timer._idleTimeout : undefined,
    callback: typeof timer._onTimeout === 'function' ? timer._onTimeout.name || undefined : undefined,
  };
}

function socketDetails(socket: any): Record<string, unknown> {
  if (!socket) return {};
  return {
    localAddress: safe(() => socket.localAddress),
    localPort: safe(() => socket.localPort),
    remoteAddress: safe(() => socket.remoteAddress),
    remotePort: safe(() => socket.remotePort),
    path: safe(() => (typeof socket._pipeName === 'string' ? socket._pipeName : undefined)),
  };
}

function serverDetails(server: any): Record<string, unknown> {
  const address = safe(() => server?.address());
  if (address && typeof address === 'object') return {address: address.address, port: address.port, family: address.family};
  if (typeof address === 'string') return {path: address};
  return {};
}

/** Handle-based records: liveness from the native handle, disposal through its public owner. */
function describeHandle(type: string, handle: any): Pick<ResourceRecord, 'liveness' | 'details' | 'dispose' | 'callSiteStack' | 'stdio' | 'closing' | 'handle'> {
  const ref = new WeakRef(handle as object);
  const isStdio = (target: any): boolean => typeof target?.fd === 'number' && target.fd >= 0 && target.fd <= 2;
  return {
    handle: () => ref.deref(),
    stdio() {
      const target: any = ref.deref();
      return isStdio(target) && handleLiveness(target) !== 'closed';
    },
    closing() {
      const target: any = ref.deref();
      return target !== undefined && handleLiveness(target) === 'alive' && isClosing(type, target);
    },
    callSiteStack() {
      const target = ref.deref();
      return target ? publicOwner(target)?.[LISTEN_STACK] : undefined;
    },
    liveness() {
      const target: any = ref.deref();
      if (!target) return 'closed';
      // Wrappers around the process's own stdio (fd 0-2) live as long as the process: not a leak.
      if (isStdio(target)) return 'closed';
      const state = handleLiveness(target);
      if (state === 'alive') return isClosing(type, target) ? 'closed' : 'alive';
      if (state !== 'unref') return state;
      // An unref'd handle is still open; a closed one has no public owner left doing work.
      const owner = publicOwner(target);
      if (type === 'TCPSERVERWRAP' || type === 'PIPESERVERWRAP') return owner?.listening ? 'unref' : 'closed';
      if (owner && typeof owner.destroyed === 'boolean') return owner.destroyed ? 'closed' : 'unref';
      if (type === 'PROCESSWRAP') return owner && owner.exitCode === null && owner.signalCode === null ? 'unref' : 'closed';
      return 'closed';
    },
    details() {
      const target: any = ref.deref();
      if (!target) return {};
      const owner = publicOwner(target);
      switch (type) {
        case 'TCPSERVERWRAP':
        case 'PIPESERVERWRAP':
          return serverDetails(owner);
        case 'TCPWRAP':
        case 'PIPEWRAP':
          return socketDetails(owner);
        case 'UDPWRAP': {
          const address = safe(() => owner?.address());
          return address ? {localAddress: address.address, localPort: address.port, protocol: 'udp'} : {protocol: 'udp'};
        }
        case 'PROCESSWRAP':
          return {pid: owner?.pid, command: Array.isArray(owner?.spawnargs) ? owner.spawnargs.join(' ') : owner?.spawnfile};
        case 'WORKER':
          return {threadId: safe(() => target.threadId)};
        case 'FSEVENTWRAP':
          return {};
        default:
          return {};
      }
    },
    dispose() {
      const target: any = ref.deref();
      if (!target) return;
      const owner = publicOwner(target);
      safe(() => {
        switch (type) {
          // Connections are unref'd, not destroyed: destroying one fires the test's own error
          // handlers after the test ended (a supertest request without a callback then throws
          // from a socket event and takes the whole Jest process down). Unref'd, they cannot
          // keep Jest or a worker alive, and they finish or fail on their own, as without us.
          case 'TCPSERVERWRAP':
          case 'PIPESERVERWRAP':
            // Stops listening (frees the port for the next file); open connections stay.
            (owner ?? target).unref?.();
            owner ? owner.close() : target.close();
            return;
          case 'TCPWRAP':
          case 'PIPEWRAP':
            (owner ?? target).unref?.();
            return;
          case 'UDPWRAP':
            owner?.close ? owner.close() : target.close();
            return;
          case 'PROCESSWRAP':
            if (owner?.kill) owner.kill('SIGKILL');
            else target.kill?.(9);
            return;
          case 'WORKER':
            target.stopThread?.();
            return;
          case 'FSEVENTWRAP':
          case 'STATWATCHER':
            owner?.close ? owner.close() : target.close?.();
            return;
          default:
            if (owner?.close) owner.close();
            else target.close?.();
        }
      });
    },
  };
}

function describeTimer(type: string, timer: any): Pick<ResourceRecord, 'liveness' | 'details' | 'dispose'> {
  const ref = new WeakRef(timer as object);
  return {
    liveness() {
      const target: any = ref.deref();
      // `_destroyed` is set synchronously by clearTimeout and after a one-shot timer fires.
      if (!target || target._destroyed) return 'closed';
      if (type === 'Immediate' && target._onImmediate == null) return 'closed';
      return target.hasRef() ? 'alive' : 'unref';
    },
    details() {
      const target: any = ref.deref();
      if (!target) return {};
      return type === 'Immediate'
        ? {api: 'setImmediate', callback: typeof target._onImmediate === 'function' ? target._onImmediate.name || undefined : undefined}
        : timerDetails(target);
    },
    dispose() {
      const target: any = ref.deref();
      if (!target) return;
      safe(() => (type === 'Immediate' ? clearImmediate(target) : clearTimeout(target)));
    },
  };
}

let nextSyntheticId = -1;

const PRUNE_EVERY = 512;
const HOLD_OPEN_FILEHANDLES = Number(process.versions.node.split('.')[0]) >= 25;
const NO_STACK: StackHolder = Object.freeze({text: ''});
/** Loop turns a settle always allows before judging (a server's close needs about two). */
const MIN_SETTLE_TURNS = 6;

const STACK_BEARING_REQUESTS: ReadonlySet<string> = new Set(['GETADDRINFOREQWRAP']);

let untrackedPromisesSupported: boolean | undefined;

/**
 * Whether `createHook({trackPromises: false})` is honoured (Node >= 24.14). Older Node
 * ignores the key silently, so ask: does a promise still reach `init`?
 */
function supportsUntrackedPromises(): boolean {
  if (untrackedPromisesSupported !== undefined) return untrackedPromisesSupported;
  let sawPromise = false;
  const probe = createHook({
    init(_id: number, type: string) {
      if (type === 'PROMISE') sawPromise = true;
    },
    trackPromises: false,
  } as Parameters<typeof createHook>[0]);
  probe.enable();
  void Promise.resolve().then(() => undefined);
  probe.disable();
  untrackedPromisesSupported = !sawPromise;
  return untrackedPromisesSupported;
}

/**
 * `executionAsyncResource()[OWNER]`, remembered by the execution's async id. Ids are unique per
 * process and name one resource each, and the only writes to an executing resource's owner
 * (enter/exit) go through `set`, so a remembered value stays right. A promise's init also
 * remembers the owner it gave the promise under the promise's own id: the continuation that
 * runs as that promise then skips executionAsyncResource() (whose lookup was ~40% of the
 * tracker's own cost per await on Node 20). Direct-mapped: a collision only costs a lookup.
 */
class ExecutionOwnerMemo {
  private static readonly SIZE = 4096;
  private readonly ids = new Float64Array(ExecutionOwnerMemo.SIZE).fill(-1);
  private readonly owners: Array<Owner | undefined> = new Array(ExecutionOwnerMemo.SIZE);

  current(): Owner | undefined {
    const id = executionAsyncId();
    // 0 and 1 (no context, the top level) are not one resource each: always look them up.
    if (id <= 1) return (executionAsyncResource() as Owned)[OWNER];
    const slot = id & (ExecutionOwnerMemo.SIZE - 1);
    if (this.ids[slot] === id) return this.owners[slot];
    const owner = (executionAsyncResource() as Owned)[OWNER];
    this.set(id, owner);
    return owner;
  }

  set(id: number, owner: Owner | undefined): void {
    if (id <= 1) return;
    const slot = id & (ExecutionOwnerMemo.SIZE - 1);
    this.ids[slot] = id;
    this.owners[slot] = owner;
  }
}

/**
 * Starts tracking: one async_hooks `init` hook (no `destroy`: it makes V8 track every
 * promise and costs ~20–30x per await on Node 20) plus patches of the fs APIs that hand
 * out descriptors. Nothing happens on import; everything is undone by `stop()`.
 */
export function trackResources(options: TrackerOptions): Tracker {
  const {stackDepth} = options;
  const fallbackOwner = options.fallbackOwner ?? (() => undefined);
  let records: ResourceRecord[] = [];
  /** Records by async id, so resources Node creates without JS frames inherit their trigger's stack. */
  const byAsyncId = new Map<number, ResourceRecord>();
  /** Stacks of in-flight requests whose callbacks create handles; dropped at each prune. */
  const requestStacks = new Map<number, StackHolder>();
  let createdSincePrune = 0;
  const pruneClosed = (): void => {
    createdSincePrune = 0;
    records = records.filter(record => record.liveness() !== 'closed' || record.stdio?.() === true || record.closing?.() === true);
    const kept = new Set(records);
    for (const [id, record] of byAsyncId) if (!kept.has(record)) byAsyncId.delete(id);
    if (requestStacks.size > PRUNE_EVERY) requestStacks.clear();
  };
  /** Nesting depth of Leakwatch's own work: resources created meanwhile are ours. */
  let internal = 0;
  let stopped = false;
  let skipRunnerTimer = false;

  /*
   * The cause travels with async causality. Where promises can stay out of async_hooks
   * (Node >= 24.14), AsyncLocalStorage carries it (AsyncContextFrame: no hook cost).
   * Elsewhere one init hook copies it from the executing resource to each new one, which
   * is what AsyncLocalStorage itself does there, without a second hook.
   */
  const storage = supportsUntrackedPromises() ? new AsyncLocalStorage<Owner>() : undefined;
  // Only the hook path reads the executing resource.
  const memo = storage ? undefined : new ExecutionOwnerMemo();
  const inheritedOwner = (): Owner | undefined => (memo ? memo.current() : storage!.getStore());
  const currentOwner = (): Owner | undefined => inheritedOwner() ?? fallbackOwner();

  // An exception thrown from an async hook callback aborts the process: never let one out.
  function init(asyncId: number, type: string, triggerAsyncId: number, resource: object): void {
    try {
      observe(asyncId, type, triggerAsyncId, resource);
    } catch {
      // A frozen resource object or an exotic stack: that one resource goes untracked.
    }
  }

  function observe(asyncId: number, type: string, triggerAsyncId: number, resource: object): void {
    if (internal > 0) return;
    if (type === 'PROMISE') {
      // The hot path (every await on Node < 24.14): one read, at most one write.
      if (memo) {
        const inheritedByPromise = memo.current();
        if (inheritedByPromise !== undefined) {
          (resource as Owned)[OWNER] = inheritedByPromise;
          // Its continuation runs as this promise: executionAsyncResource() would return it.
          memo.set(asyncId, inheritedByPromise);
        }
      }
      return;
    }
    const inherited = inheritedOwner();
    const kind = TRACKED_TYPES.get(type);
    if (kind === undefined) {
      // Short-lived (PROMISE, TickObject, *REQ*): only carry the cause forward.
      if (inherited !== undefined && !storage) (resource as Owned)[OWNER] = inherited;
      // A lookup precedes listen(port, host) and connect(port, host); its stack is the user's call.
      if (STACK_BEARING_REQUESTS.has(type)) requestStacks.set(asyncId, captureStack(stackDepth, init));
      return;
    }
    const triggerRecord = byAsyncId.get(triggerAsyncId);
    // Node creates accepted sockets outside any callback scope (no execution context): the
    // trigger, the listening server, is their cause.
    const causalOwner = inherited ?? triggerRecord?.owner;
    const owner = causalOwner ?? fallbackOwner();
    if (owner !== undefined && !storage) (resource as Owned)[OWNER] = owner;
    if (skipRunnerTimer && type === 'Timeout' && causalOwner === undefined) {
      skipRunnerTimer = false;
      return;
    }
    // Immediates run on the next loop turn unless rescheduled; they are created often (streams,
    // libraries), so they skip the ~10 µs stack capture and are reported by callback name.
    const stack: StackHolder = type === 'Immediate' ? NO_STACK : captureStack(stackDepth, init);
    const described =
      type === 'Timeout' || type === 'Immediate' ? describeTimer(type, resource) : describeHandle(type, resource);
    const record: ResourceRecord = {id: asyncId, type, kind, owner, causal: causalOwner !== undefined, stack, reported: false, ...described};
    // Accepted sockets, child stdio pipes, servers listening after a DNS lookup: created by
    // Node with no JS frames; the trigger knows why. Decided when reported, not here: telling
    // whether a stack has JS frames means formatting it, too slow for every accepted socket.
    const triggerStack = type === 'Immediate' ? undefined : (triggerRecord?.stack ?? requestStacks.get(triggerAsyncId));
    if (triggerStack) {
      const own = record.callSiteStack;
      const triggerCallSite = triggerRecord?.callSiteStack;
      record.callSiteStack = () => own?.() ?? (hasJsFrames(triggerStack) ? triggerStack : triggerCallSite?.());
    }
    records.push(record);
    // Between checks, drop closed records now and then: a test that creates many short-lived
    // timers must not see its heap grow because of us (stacks can hold closures).
    if (++createdSincePrune >= PRUNE_EVERY) pruneClosed();
    if (kind !== 'timer') byAsyncId.set(asyncId, record);
  }

  // trackPromises: false (Node >= 24.14) skips PromiseHooks entirely; older Node ignores the key.
  const hook: AsyncHook = createHook({init, trackPromises: false} as Parameters<typeof createHook>[0]);
  const fsPatches = patchFs({
    stackDepth,
    currentOwner,
    isInternal: () => internal > 0,
    add: record => records.push(record),
  });
  const restoreNet = patchListen(stackDepth, () => internal > 0);
  hook.enable();

  const activeResourcesInfo = options.activeResourcesInfo ?? defaultActiveResourcesInfo;
  const baseline = countActive(activeResourcesInfo());

  const enter = (owner: Owner): OwnerScope => {
    skipRunnerTimer = false;
    if (storage) {
      const previous = storage.getStore();
      storage.enterWith(owner);
      return previous as unknown as OwnerScope;
    }
    // AsyncLocalStorage.enterWith, without a second hook: mark the current resource.
    const execution = executionAsyncResource() as Owned;
    const previous = execution[OWNER];
    try {
      execution[OWNER] = owner;
    } catch {
      // Not extensible: run untracked rather than break the test.
      return NOT_ENTERED as unknown as OwnerScope;
    }
    memo!.set(executionAsyncId(), owner);
    return previous as unknown as OwnerScope;
  };
  const exit = (scope: OwnerScope): void => {
    const previous = scope as unknown as Owner | undefined | typeof NOT_ENTERED;
    if (previous === NOT_ENTERED) return;
    if (storage) {
      storage.enterWith(previous as Owner);
      return;
    }
    // Synchronous code in between: still the resource `enter` marked.
    const execution = executionAsyncResource() as Owned;
    if (previous === undefined) delete execution[OWNER];
    else execution[OWNER] = previous;
    memo!.set(executionAsyncId(), previous);
  };

  return {
    runAs<T>(owner: Owner, fn: () => T): T {
      const scope = enter(owner);
      try {
        return fn();
      } finally {
        exit(scope);
      }
    },

    enter,
    exit,

    settle({select, settleMsFor, includeUnref = false, exclude}: SettleOptions): MaybePromise<SettledResource[]> {
      fsPatches.confirmOpens();
      const judge = (): {alive: ResourceRecord[]; result: SettledResource[]} => {
        const alive: ResourceRecord[] = [];
        const result: SettledResource[] = [];
        for (const record of records) {
          if (record.reported || !select(record)) continue;
          const liveness = record.liveness();
          if (liveness !== 'closed' && exclude?.(record)) continue;
          if (liveness === 'alive') {
            alive.push(record);
            result.push({record, liveness});
          } else if (liveness === 'unref' && includeUnref) {
            result.push({record, liveness});
          }
        }
        return {alive, result};
      };
      const first = judge();
      if (first.alive.length === 0) return foldChildStdio(first.result);
      // goleak-style: poll with backoff while anything is alive, up to the longest budget.
      const waitForClose = async (): Promise<SettledResource[]> => {
        let {alive, result} = first;
        const started = Date.now();
        let waitMs = 0;
        for (let turns = 0; ; turns++) {
          const budget = Math.max(...alive.map(record => waitBudget(record, settleMsFor(record.kind))));
          const elapsed = Date.now() - started;
          // Closing completes in later loop turns, not after wall time: on a starved CPU the
          // budget can pass in one turn, so also give it a minimum number of turns.
          if (elapsed >= budget && turns >= MIN_SETTLE_TURNS) break;
          await pause(Math.max(0, Math.min(waitMs, budget - elapsed)));
          waitMs = waitMs === 0 ? 1 : waitMs * 2;
          ({alive, result} = judge());
          if (alive.length === 0) break;
        }
        return foldChildStdio(result);
      };
      return waitForClose();
    },

    ignoreNextRunnerTimer() {
      skipRunnerTimer = true;
    },

    records() {
      fsPatches.confirmOpens();
      return records;
    },

    prune() {
      pruneClosed();
      requestStacks.clear();
    },

    unexplainedGrowth() {
      const now = countActive(activeResourcesInfo());
      const explained = new Map<string, number>();
      for (const record of records) {
        const name = ACTIVE_INFO_TYPE.get(record.type);
        if (name && (record.liveness() === 'alive' || record.stdio?.() || record.closing?.())) explained.set(name, (explained.get(name) ?? 0) + 1);
      }
      const growth: Record<string, number> = {};
      for (const [name, count] of now) {
        if (isTransientActiveType(name)) continue;
        const extra = count - (baseline.get(name) ?? 0) - (explained.get(name) ?? 0);
        if (extra > 0) growth[name] = extra;
      }
      return growth;
    },

    stop() {
      if (stopped) return;
      stopped = true;
      hook.disable();
      fsPatches.restore();
      restoreNet();
      records = [];
      byAsyncId.clear();
      storage?.disable();
    },
  };

  function pause(ms: number): Promise<void> {
    internal++;
    try {
      return new Promise(resolve => (ms <= 0 ? realSetImmediate(resolve) : realSetTimeout(resolve, ms)));
    } finally {
      internal--;
    }
  }
}

/**
 * How long a live resource is worth waiting for, out of its kind's settle budget: a timer due
 * after the budget cannot close within it by itself (a test that really leaks pays the wait
 * on every check, so it is not paid for nothing).
 */
function waitBudget(record: ResourceRecord, settleMs: number): number {
  if (record.kind !== 'timer') return settleMs;
  const delayMs = record.details().delayMs;
  return typeof delayMs === 'number' && delayMs > settleMs ? 0 : settleMs;
}

/**
 * A child process's stdio pipes live and die with it: report the process once, not each
 * pipe as a socket.
 */
function foldChildStdio(resources: SettledResource[]): SettledResource[] {
  const stdioHandles = new Set<object>();
  for (const {record} of resources) {
    if (record.type !== 'PROCESSWRAP') continue;
    const handle = record.handle?.();
    const child = handle ? publicOwner(handle) : undefined;
    for (const stream of Array.isArray(child?.stdio) ? child.stdio : []) {
      if (stream?._handle) stdioHandles.add(stream._handle);
    }
  }
  if (stdioHandles.size === 0) return resources;
  return resources.filter(({record}) => {
    if (record.type !== 'PIPEWRAP') return true;
    const handle = record.handle?.();
    if (!handle || !stdioHandles.has(handle)) return true;
    // Judged together with its process from now on.
    record.reported = true;
    return false;
  });
}

/** Whether any frame is outside Node's own code (formats the stack: call only when needed). */
function hasJsFrames(holder: StackHolder): boolean {
  return parseStack(holder).some(frame => frame.origin !== 'node' && frame.origin !== 'self');
}

function defaultActiveResourcesInfo(): string[] {
  const getInfo = (process as {getActiveResourcesInfo?: () => string[]}).getActiveResourcesInfo;
  return typeof getInfo === 'function' ? getInfo.call(process) : [];
}

function countActive(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/**
 * `listen(port, host)` creates its handle in a lookup callback with no JS frames; remember
 * where listen was called. Patched on the prototype, so http/https/tls servers get it too.
 */
function patchListen(stackDepth: number, isInternal: () => boolean): () => void {
  const proto = net.Server.prototype as unknown as Record<string, unknown> & {listen: (...args: any[]) => unknown};
  const original = proto.listen;
  const wrapped = function listen(this: Record<symbol, unknown>, ...args: any[]) {
    if (!isInternal()) this[LISTEN_STACK] = captureStack(stackDepth, listen);
    return original.apply(this, args);
  };
  Object.defineProperty(wrapped, 'length', {value: original.length});
  proto.listen = wrapped;
  return () => {
    if (proto.listen === wrapped) proto.listen = original;
  };
}

/**
 * Where a FileHandle collected while open throws (Node >= 25), a strong reference; else a
 * WeakRef. A separate function so the record's closures never capture the handle itself.
 */
function referToFileHandle(handle: fs.promises.FileHandle): {deref(): fs.promises.FileHandle | undefined} {
  return HOLD_OPEN_FILEHANDLES ? {deref: () => handle} : new WeakRef(handle);
}

/**
 * The arguments Node's own readFileSync and writeFileSync pass to `fs.openSync`; both close
 * the descriptor before they return. Jest reads modules that way (~220 reads per test
 * file on Jest 29), and telling those calls apart by their caller costs a stack capture,
 * ~8 µs under Jest's deep stacks. So such opens are judged by what happens next instead.
 * (writeFileSync with another `mode` takes the ordinary path: a record with its stack, closed
 * before writeFileSync returns, so never reported.)
 */
const NODE_FS_OPEN_MODE = 0o666;
const UNTAKEN_STACK_NOTE = 'no creation line: opened as fs.openSync(path, flags, 0o666), the call readFileSync makes';

interface FsPatchContext {
  stackDepth: number;
  currentOwner: () => Owner | undefined;
  isInternal: () => boolean;
  add: (record: ResourceRecord) => void;
}

type Patchable = Record<string, unknown>;

/**
 * Wraps the fs APIs that hand out descriptors and the ones that give them back. Sync
 * descriptors create no async resource at all, and a FileHandle's init has no JS stack,
 * so the API is the only place that knows who opened what. graceful-fs (loaded by Jest)
 * has already replaced `close`/`closeSync`: we wrap whatever is there and put exactly
 * that back.
 */
function patchFs(context: FsPatchContext): {restore(): void; confirmOpens(): void} {
  const restores: Array<() => void> = [];
  /** Raw descriptors opened through fs.open/openSync and not yet closed → their record. */
  const openFds = new Map<number, ResourceRecord>();

  function patch(target: Patchable, name: string, wrap: (original: (...args: any[]) => any) => (...args: any[]) => any): void {
    const original = target[name];
    if (typeof original !== 'function') return;
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    const wrapped = wrap(original as (...args: any[]) => any);
    Object.defineProperty(wrapped, 'name', {value: (original as Function).name});
    Object.defineProperty(wrapped, 'length', {value: (original as Function).length});
    (wrapped as any)[ORIGINAL] = original;
    // Core module exports are writable but not always configurable: assign, and put back by assignment.
    if (descriptor && !descriptor.writable && !descriptor.configurable) return;
    if (descriptor?.writable) target[name] = wrapped;
    else Object.defineProperty(target, name, {value: wrapped, writable: true, configurable: true, enumerable: descriptor?.enumerable ?? true});
    restores.push(() => {
      // Only undo our own wrapper; if someone wrapped on top of us, leave theirs in place.
      if (target[name] !== wrapped) return;
      if (descriptor?.writable) target[name] = original;
      else if (descriptor) Object.defineProperty(target, name, descriptor);
      else delete target[name];
    });
  }

  function fdRecord(api: string, fd: number, file: unknown, stack: StackHolder, owner: Owner | undefined): ResourceRecord {
    const record: ResourceRecord = {
      id: nextSyntheticId--,
      type: api,
      kind: 'file',
      owner,
      causal: false,
      stack,
      reported: false,
      liveness: () => (openFds.get(fd) === record ? 'alive' : 'closed'),
      details: () => ({fd, path: typeof file === 'string' ? file : Buffer.isBuffer(file) ? file.toString() : String(file), ...(stack === STACK_NOT_TAKEN ? {note: UNTAKEN_STACK_NOTE} : {})}),
      dispose: () => {
        if (openFds.get(fd) !== record) return;
        openFds.delete(fd);
        safe(() => closeSyncOriginal(fd));
      },
    };
    return record;
  }

  const fsModule = fs as unknown as Patchable;
  let closeSyncOriginal: (fd: number) => void = fs.closeSync;

  /**
   * Opens made with Node's own readFileSync arguments, until the next check (`settle`,
   * `records`): still open then, it was the user's own call and becomes a record (with its
   * path and owner, but no creation stack, which was never taken). Nothing is scheduled per
   * open: a microtask each cost 1.0–1.3 µs per module read with the async hook on
   * (`node bench/micro.js --case readFileSync`: 1.23–1.25× of an untracked read, now 1.05×).
   */
  const unconfirmed = new Map<number, {file: unknown; owner: Owner | undefined}>();
  const confirmOpens = (): void => {
    if (unconfirmed.size === 0) return;
    for (const [fd, {file, owner}] of unconfirmed) {
      const record = fdRecord('fs.openSync', fd, file, STACK_NOT_TAKEN, owner);
      openFds.set(fd, record);
      context.add(record);
    }
    unconfirmed.clear();
  };

  patch(fsModule, 'openSync', original =>
    function openSync(this: unknown, ...args: any[]) {
      const fd = original.apply(this, args);
      if (context.isInternal() || typeof fd !== 'number') return fd;
      if (args.length === 3 && args[2] === NODE_FS_OPEN_MODE) {
        unconfirmed.set(fd, {file: args[0], owner: context.currentOwner()});
        return fd;
      }
      const record = fdRecord('fs.openSync', fd, args[0], captureStack(context.stackDepth, openSync), context.currentOwner());
      openFds.set(fd, record);
      context.add(record);
      return fd;
    },
  );

  patch(fsModule, 'open', original =>
    function open(this: unknown, ...args: any[]) {
      const callbackIndex = args.findIndex(arg => typeof arg === 'function');
      if (context.isInternal() || callbackIndex < 0) return original.apply(this, args);
      const stack = captureStack(context.stackDepth, open);
      const owner = context.currentOwner();
      const callback = args[callbackIndex] as (error: unknown, fd?: number) => void;
      args[callbackIndex] = function onOpen(this: unknown, error: unknown, fd?: number) {
        if (!error && typeof fd === 'number') {
          const record = fdRecord('fs.open', fd, args[0], stack, owner);
          openFds.set(fd, record);
          context.add(record);
        }
        return callback.call(this, error, fd);
      };
      return original.apply(this, args);
    },
  );

  const forget = (fd: unknown): void => {
    if (typeof fd !== 'number') return;
    openFds.delete(fd);
    unconfirmed.delete(fd);
  };
  patch(fsModule, 'closeSync', original => {
    closeSyncOriginal = original;
    return function closeSync(this: unknown, ...args: any[]) {
      const result = original.apply(this, args);
      forget(args[0]);
      return result;
    };
  });
  patch(fsModule, 'close', original =>
    function close(this: unknown, ...args: any[]) {
      forget(args[0]);
      return original.apply(this, args);
    },
  );

  const promises = fs.promises as unknown as Patchable;
  patch(promises, 'open', original =>
    function open(this: unknown, ...args: any[]) {
      const result = original.apply(this, args) as Promise<fs.promises.FileHandle>;
      if (context.isInternal()) return result;
      const stack = captureStack(context.stackDepth, open);
      const owner = context.currentOwner();
      return result.then(handle => {
        // Where a FileHandle collected while open throws (Node >= 25), hold it until it is
        // closed: the leak is then reported at its test and closed at cleanup, instead of
        // crashing the worker at some later GC.
        const ref = referToFileHandle(handle);
        const fd = handle.fd;
        context.add({
          id: nextSyntheticId--,
          type: 'fs.promises.open',
          kind: 'file',
          owner,
          causal: false,
          stack,
          reported: false,
          // A closed FileHandle reports fd -1.
          liveness: () => ((ref.deref()?.fd ?? -1) === -1 ? 'closed' : 'alive'),
          details: () => ({fd, path: String(args[0])}),
          dispose: () => {
            ref.deref()?.close().catch(() => undefined);
          },
        });
        return handle;
      });
    },
  );

  for (const [api, streamName] of [
    ['createReadStream', 'ReadStream'],
    ['createWriteStream', 'WriteStream'],
  ] as const) {
    patch(fsModule, api, original =>
      function createStream(this: unknown, ...args: any[]) {
        const stream = original.apply(this, args) as fs.ReadStream | fs.WriteStream;
        if (context.isInternal()) return stream;
        const stack = captureStack(context.stackDepth, createStream);
        const owner = context.currentOwner();
        const ref = new WeakRef(stream);
        // The stream opens its descriptor through fs.open; it owns it, so drop the raw fd record.
        (stream as fs.ReadStream).once('open', (fd: number) => openFds.delete(fd));
        context.add({
          id: nextSyntheticId--,
          type: `fs.${api}`,
          kind: 'file',
          owner,
          causal: false,
          stack,
          reported: false,
          liveness: () => {
            const target = ref.deref() as (fs.ReadStream & {closed?: boolean}) | undefined;
            if (!target || target.destroyed || target.closed) return 'closed';
            return 'alive';
          },
          details: () => ({path: String(args[0]), stream: streamName}),
          dispose: () => {
            ref.deref()?.destroy();
          },
        });
        return stream;
      },
    );
  }

  return {
    restore() {
      for (const restore of restores.reverse()) restore();
      openFds.clear();
      unconfirmed.clear();
    },
    confirmOpens,
  };
}
