/**
 * "Collected without being closed" detection (Go's finalizer pattern): an object handed
 * to trackResource is registered with a FinalizationRegistry together with its creation
 * stack; if the GC collects it before it was closed, that is a definite leak.
 */

/** Where the tracker lives on a global object, shared by the sandbox and the environment. */
export const GC_TRACKER_KEY: unique symbol = Symbol.for('leakwatch.gcTracker') as never;

export interface TrackResourceOptions<T extends object = object> {
  /** What the object is, shown as the finding's resource type. @default its constructor name */
  kind?: string;
  /** A name for this instance (a URL, a pool id). */
  label?: string;
  /** Method(s) whose call closes the object. @default the first of close, destroy, end, dispose, release, disconnect, terminate the object has */
  closeMethod?: string | string[];
  /**
   * Whether the object is closed; asked right after a close method returns (and after its
   * promise settles), and whenever the tracker sweeps.
   */
  isClosed?: (resource: T) => boolean;
}

/** Who created a tracked object; supplied by the environment (the current test). */
export interface TrackOwner {
  scope: 'test' | 'describe' | 'file';
  scopePath: string[];
}

export interface UnclosedRecord {
  resourceType: string;
  label?: string;
  /** Creation stack frames (`at ` stripped), innermost first, tracker frames removed. */
  stack: string[];
  owner?: TrackOwner;
  /** Extra facts (e.g. the fd of a FileHandle). */
  details?: Record<string, unknown>;
}

const DEFAULT_CLOSE_METHODS = ['close', 'destroy', 'end', 'dispose', 'release', 'disconnect', 'terminate'];

interface Held {
  state: {closed: boolean};
  record: UnclosedRecord;
}

export interface GcTrackerOptions {
  /** The creator of an object being tracked now. */
  currentOwner?: () => TrackOwner | undefined;
  /** Frames kept per stack. @default 12 */
  stackDepth?: number;
}

function captureFrames(depth: number): string[] {
  const holder: {stack?: string} = {};
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = depth + 6;
  try {
    Error.captureStackTrace(holder, captureFrames);
  } finally {
    Error.stackTraceLimit = previous;
  }
  return (holder.stack ?? '')
    .split('\n')
    .slice(1)
    .map(line => line.trim().replace(/^at /, ''))
    // By path, not by function name: Jest's source-map support renames frames after the
    // identifier at the call site, so the user's frame can read "trackResource (...)".
    .filter(line => !/[\\/]gc[\\/]trackResource\.[jt]s|[\\/]@leakwatch[\\/]core[\\/]/.test(line))
    .slice(0, depth);
}

/**
 * Holds the FinalizationRegistry. One per test file (the environment installs it on the
 * sandbox global); `trackResource` finds it there from test code.
 */
export class GcTracker {
  private readonly registry: FinalizationRegistry<Held>;
  private readonly collected: UnclosedRecord[] = [];
  private readonly polled = new Set<{ref: WeakRef<object>; isClosed: (resource: object) => boolean; state: {closed: boolean}}>();
  private readonly options: GcTrackerOptions;
  private liveCount = 0;

  constructor(options: GcTrackerOptions = {}) {
    this.options = options;
    this.registry = new FinalizationRegistry<Held>(held => {
      this.liveCount--;
      if (!held.state.closed) this.collected.push(held.record);
    });
  }

  /** Tracked objects neither closed nor collected yet. */
  get pending(): number {
    return this.liveCount;
  }

  track<T extends object>(resource: T, options: TrackResourceOptions<T> = {}): T {
    if ((typeof resource !== 'object' && typeof resource !== 'function') || resource === null) {
      throw new TypeError(`Leakwatch: trackResource(resource) needs an object; received ${resource === null ? 'null' : typeof resource}.`);
    }
    const state = {closed: false};
    const methods =
      options.closeMethod === undefined
        ? DEFAULT_CLOSE_METHODS.filter(name => typeof (resource as Record<string, unknown>)[name] === 'function').slice(0, 1)
        : Array.isArray(options.closeMethod)
          ? options.closeMethod
          : [options.closeMethod];
    if (methods.length === 0 && !options.isClosed) {
      throw new TypeError(
        `Leakwatch: trackResource() cannot tell when this ${resource.constructor?.name ?? 'object'} is closed: it has none of ${DEFAULT_CLOSE_METHODS.join(', ')}; pass {closeMethod: 'name'} or {isClosed: r => ...}.`,
      );
    }
    const isClosed = options.isClosed;
    const update = (): void => {
      if (state.closed) return;
      try {
        state.closed = isClosed ? Boolean(isClosed(resource)) : true;
      } catch {
        state.closed = true; // a throwing isClosed must not turn into a false leak
      }
      if (state.closed) {
        this.registry.unregister(state);
        this.liveCount--;
      }
    };
    for (const name of methods) {
      const original = (resource as Record<string, unknown>)[name];
      if (typeof original !== 'function') {
        throw new TypeError(`Leakwatch: trackResource() closeMethod "${name}" is not a method of this ${resource.constructor?.name ?? 'object'}.`);
      }
      const wrapper = function (this: unknown, ...args: unknown[]): unknown {
        const result: unknown = Reflect.apply(original as (...a: unknown[]) => unknown, this, args);
        update();
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(update, update);
        }
        return result;
      };
      try {
        Object.defineProperty(resource, name, {value: wrapper, configurable: true, writable: true, enumerable: false});
      } catch {
        // Frozen object: fall back to polling isClosed, if there is one.
      }
    }
    if (isClosed) this.polled.add({ref: new WeakRef(resource), isClosed: isClosed as (r: object) => boolean, state});
    const record: UnclosedRecord = {
      resourceType: options.kind ?? resource.constructor?.name ?? 'Object',
      stack: captureFrames(this.options.stackDepth ?? 12),
    };
    if (options.label !== undefined) record.label = options.label;
    const owner = this.options.currentOwner?.();
    if (owner) record.owner = owner;
    this.registry.register(resource, {state, record}, state);
    this.liveCount++;
    return resource;
  }

  /** Re-asks `isClosed` of live objects (e.g. closed through a path that skips the close method). */
  sweep(): void {
    for (const entry of this.polled) {
      const resource = entry.ref.deref();
      if (!resource || entry.state.closed) {
        this.polled.delete(entry);
        continue;
      }
      try {
        if (entry.isClosed(resource)) {
          entry.state.closed = true;
          this.registry.unregister(entry.state);
          this.liveCount--;
          this.polled.delete(entry);
        }
      } catch {
        // Keep watching; a broken isClosed is the user's to fix, not a leak.
      }
    }
  }

  /** Records of objects collected while still open since the last drain. */
  drain(): UnclosedRecord[] {
    return this.collected.splice(0);
  }

  /** Adds a record found another way (Node's own FileHandle GC warning). */
  report(record: UnclosedRecord): void {
    this.collected.push(record);
  }
}

/** The tracker installed on `target`, if any. */
export function getGcTracker(target: object = globalThis): GcTracker | undefined {
  const value = (target as Record<symbol, unknown>)[GC_TRACKER_KEY];
  return value && typeof (value as GcTracker).track === 'function' ? (value as GcTracker) : undefined;
}

/** Installs `tracker` on `target` (the environment does this on the sandbox global). */
export function installGcTracker(target: object, tracker: GcTracker): void {
  Object.defineProperty(target, GC_TRACKER_KEY, {value: tracker, configurable: true, enumerable: false, writable: true});
}

/**
 * Tracks `resource`: if it is garbage-collected before one of its close methods ran (or
 * before `isClosed` said so), Leakwatch reports an `unclosed-gc` finding with the stack
 * of this call, against the test that made it. Returns `resource`.
 */
export function trackResource<T extends object>(resource: T, options?: TrackResourceOptions<T>, target: object = globalThis): T {
  let tracker = getGcTracker(target);
  if (!tracker) {
    tracker = new GcTracker();
    installGcTracker(target, tracker);
  }
  return tracker.track(resource, options);
}
