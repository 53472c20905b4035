import {DEFAULT_SECRET_PATTERN, REDACTED, renderValue} from './describeValue';

/** The part of a `process` object the state snapshot reads. */
export interface ProcessLike {
  env: Record<string, string | undefined>;
  cwd?: () => string;
  eventNames?: () => Array<string | symbol>;
  rawListeners?: (event: string | symbol) => unknown[];
}

export interface StateSnapshotterOptions {
  /** The global object test code sees (Jest's sandbox global). */
  global: object;
  /**
   * The vm context object behind `global` (Jest's `getVmContext()`). Every property test
   * code sets, defines or deletes on its global lands here too, and it reads without the
   * contextified global's interceptors (~4× cheaper), so per-test snapshots read it.
   * Built-ins live only on the global: deleting one, or a symbol key on Node's older vm,
   * shows up at file level. @default the global itself
   */
  context?: object;
  /**
   * The outer realm's global. Jest installs lazy getters for Node's globals that replace
   * themselves with the outer value on first read; that swap is not a change.
   * @default globalThis
   */
  realGlobal?: object;
  /**
   * The `process` test code sees (Jest gives each file its own copy). Its `env` is replaced by
   * a pass-through proxy that counts writes, so a test that wrote nothing costs no reading of
   * the env (each read of Jest's env proxy goes through a trap).
   */
  sandboxProcess?: ProcessLike;
  /** @default process */
  realProcess?: ProcessLike;
  /** Global names that may change freely; a trailing `*` matches a prefix. */
  allowGlobals?: Iterable<string>;
  /** Env keys whose values are redacted in findings. @default keys that look like secrets */
  secretPattern?: RegExp;
  /** Which comparisons run. @default all */
  check?: Partial<Record<StateKind, boolean>>;
}

export type StateKind = 'global' | 'env' | 'cwd' | 'process-listener';
export type StateTarget = 'sandbox' | 'process';

interface GlobalEntry {
  accessor: boolean;
  value: unknown;
  get: unknown;
  set: unknown;
}

type ListenerMap = Map<string | symbol, unknown[]>;

/**
 * `file`: everything, the sandbox global with its built-ins and the real process's env.
 * `test`: what tests change in practice, read cheaply enough for every test: the vm context
 * instead of the global, no real `process.env` (test code sees Jest's copy of it).
 */
export type SnapshotDepth = 'file' | 'test';

export interface StateSnapshot {
  readonly depth: SnapshotDepth;
  readonly globals?: ReadonlyMap<PropertyKey, GlobalEntry>;
  readonly sandboxEnv?: ReadonlyMap<string, string | undefined>;
  readonly realEnv?: ReadonlyMap<string, string | undefined>;
  readonly cwd?: string;
  readonly sandboxListeners?: ListenerMap;
  readonly realListeners?: ListenerMap;
}

export type StateChange =
  | {kind: 'global'; key: string; change: 'added' | 'overwritten' | 'deleted'; before?: string; after?: string}
  | {
      kind: 'env';
      target: StateTarget;
      key: string;
      change: 'added' | 'changed' | 'deleted';
      before?: string;
      after?: string;
      redacted: boolean;
    }
  | {kind: 'cwd'; before: string; after: string}
  | {kind: 'process-listener'; target: StateTarget; event: string; added: number; listeners: string[]};

export interface StateSnapshotter {
  /** @param depth @default 'file' */
  take(depth?: SnapshotDepth): StateSnapshot;
  /**
   * What changed between two snapshots of the same depth, in a stable order. `baseline`, a
   * file-depth snapshot, names what a global held before when a test overwrote a built-in
   * (which the context only holds once it is overwritten).
   */
  diff(before: StateSnapshot, after: StateSnapshot, baseline?: StateSnapshot): StateChange[];
  /**
   * The test-depth reading a file-depth snapshot already holds (its context keys), as if
   * `take('test')` had run at the same moment, without reading anything again; undefined when
   * the snapshot has no such part. It becomes the last test-depth reading.
   */
  testView(file: StateSnapshot): StateSnapshot | undefined;
}

// Faked by jest.useFakeTimers() (sinon marks every fake with `.clock`, legacy fakes are
// jest.fn()s). Installing fake timers is Jest's own business, and Jest re-installs them
// per file, so a swap of these keys to or from a fake is not reported.
const FAKE_TIMER_KEYS = new Set([
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
  'Date', 'queueMicrotask', 'performance', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'Intl', 'Temporal', 'scheduler',
]);

function isFake(value: unknown): boolean {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return false;
  try {
    return Object.prototype.hasOwnProperty.call(value, 'clock') || (value as {_isMockFunction?: unknown})._isMockFunction === true;
  } catch {
    return false;
  }
}

// Symbols Jest itself keeps on the sandbox global (circus state, expect's matcher
// registry, jest-native timers and promises) change as Jest runs; `leakwatch.*` symbols
// are our own registries (watchState, trackResource).
function isToolSymbol(key: symbol): boolean {
  const description = key.description ?? '';
  return /^(\$\$)?jest|^JEST|^leakwatch\./i.test(description);
}

function keyName(key: PropertyKey): string {
  return typeof key === 'symbol' ? key.toString() : String(key);
}

function compileAllow(names: Iterable<string>): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of names) {
    if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  return name => exact.has(name) || prefixes.some(prefix => name.startsWith(prefix));
}

type GlobalsMap = Map<PropertyKey, GlobalEntry>;
type EnvMap = Map<string, string | undefined>;

/**
 * The key order and values behind a globals map, for the next reading's unchanged check:
 * flat arrays, so the check touches one slot per key (for an accessor, its entry).
 */
interface GlobalsLayout {
  keys: PropertyKey[];
  values: unknown[];
  accessors: Map<number, GlobalEntry>;
}

/** What a file-depth globals map was read from, for the next file-depth reading's unchanged check. */
interface FileGlobalsInfo {
  /** `Reflect.ownKeys` of the global, as read. */
  globalKeys: PropertyKey[];
  /** The context's keys with their entries from the same reading (a test-depth map). */
  contextView: GlobalsMap;
}

/**
 * Every own key of `target` with its descriptor. `backing`, the vm context behind a sandbox
 * global, answers for the keys it holds: the global's interceptors hand out exactly its
 * descriptors, at ~6× the cost of reading the plain object (Node 24, Jest 30: ~60 against
 * ~10 µs for the 78 such keys); only the built-ins, which live on the global alone, are read there.
 */
function readGlobals(target: object, layouts: WeakMap<GlobalsMap, GlobalsLayout>, backing?: object): GlobalsMap {
  const map: GlobalsMap = new Map();
  for (const key of Reflect.ownKeys(target)) {
    let descriptor: PropertyDescriptor | undefined;
    try {
      descriptor = (backing && Reflect.getOwnPropertyDescriptor(backing, key)) || Reflect.getOwnPropertyDescriptor(target, key);
    } catch {
      continue;
    }
    if (!descriptor) continue;
    const accessor = !('value' in descriptor) && (descriptor.get !== undefined || descriptor.set !== undefined);
    map.set(key, {accessor, value: descriptor.value, get: descriptor.get, set: descriptor.set});
  }
  return withLayout(map, layouts);
}

/** Records `map`'s key order and values (in its insertion order) for the next unchanged check. */
function withLayout(map: GlobalsMap, layouts: WeakMap<GlobalsMap, GlobalsLayout>): GlobalsMap {
  const keys: PropertyKey[] = [];
  const values: unknown[] = [];
  const accessors = new Map<number, GlobalEntry>();
  for (const [key, entry] of map) {
    if (entry.accessor) accessors.set(keys.length, entry);
    keys.push(key);
    values.push(entry.value);
  }
  layouts.set(map, {keys, values, accessors});
  return map;
}

/**
 * The context's part of a file-depth reading (`read`, from the global): its keys in the
 * context's order with the entries already read, and the layout a test-depth reading would
 * have. Undefined if a context key is missing from the reading (the global did not list it).
 */
function contextViewOf(context: object, read: GlobalsMap, layouts: WeakMap<GlobalsMap, GlobalsLayout>): GlobalsMap | undefined {
  const view: GlobalsMap = new Map();
  for (const key of Reflect.ownKeys(context)) {
    const entry = read.get(key);
    if (!entry) return undefined;
    view.set(key, entry);
  }
  return withLayout(view, layouts);
}

function sameKeys(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether `target` still has exactly the own keys, values and accessors of `previous` (the
 * usual case between two tests). Reads data properties by plain get, ~3× cheaper than a
 * descriptor each; only accessors (Jest's lazy globals) are read by descriptor.
 */
function globalsUnchanged(target: object, previous: GlobalsLayout): boolean {
  const keys = Reflect.ownKeys(target);
  const {keys: previousKeys, values, accessors} = previous;
  if (keys.length !== previousKeys.length) return false;
  try {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key !== previousKeys[i]) return false;
      const entry = accessors.size > 0 ? accessors.get(i) : undefined;
      if (entry) {
        const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
        if (!descriptor || 'value' in descriptor || descriptor.get !== entry.get || descriptor.set !== entry.set) return false;
      } else if (!Object.is((target as Record<PropertyKey, unknown>)[key], values[i])) {
        return false;
      }
    }
  } catch {
    return false;
  }
  return true;
}

function readEnv(env: Record<string, string | undefined> | undefined, previous?: EnvMap): EnvMap | undefined {
  if (!env || typeof env !== 'object') return undefined;
  const keys = Object.keys(env);
  if (previous && previous.size === keys.length) {
    let same = true;
    for (const key of keys) {
      if (previous.get(key) !== env[key] || !previous.has(key)) {
        same = false;
        break;
      }
    }
    if (same) return previous;
  }
  const map: EnvMap = new Map();
  for (const key of keys) map.set(key, env[key]);
  return map;
}

/** The emitter's listeners; `previous` itself when they are the same ones in the same order. */
function readListeners(emitter: ProcessLike | undefined, previous?: ListenerMap): ListenerMap | undefined {
  if (!emitter || typeof emitter.eventNames !== 'function' || typeof emitter.rawListeners !== 'function') {
    return undefined;
  }
  const events = emitter.eventNames();
  if (previous && previous.size === events.length && events.every(event => sameItems(previous.get(event), emitter.rawListeners!(event)))) {
    return previous;
  }
  const map: ListenerMap = new Map();
  for (const event of events) map.set(event, emitter.rawListeners(event));
  return map;
}

function sameItems(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Counts writes to an env object through the pass-through proxy that replaced it. */
interface EnvWriteCounter {
  readonly proxy: object;
  writes: number;
}

/**
 * Puts a proxy that counts `set`, `delete` and `defineProperty` in place of `owner.env`.
 * Returns undefined (and changes nothing) when `env` is not a replaceable object.
 */
function countEnvWrites(owner: ProcessLike): EnvWriteCounter | undefined {
  const env = owner.env as object | undefined;
  const descriptor = Object.getOwnPropertyDescriptor(owner, 'env');
  if (!env || typeof env !== 'object' || !descriptor || !('value' in descriptor) || !descriptor.writable) return undefined;
  const counter = {proxy: env, writes: 0};
  counter.proxy = new Proxy(env, {
    set(target, key, value) {
      counter.writes++;
      return Reflect.set(target, key, value);
    },
    deleteProperty(target, key) {
      counter.writes++;
      return Reflect.deleteProperty(target, key);
    },
    defineProperty(target, key, attributes) {
      counter.writes++;
      return Reflect.defineProperty(target, key, attributes);
    },
  });
  owner.env = counter.proxy as ProcessLike['env'];
  return counter;
}

function listenerName(listener: unknown): string {
  if (typeof listener !== 'function') return renderValue(listener);
  // once() wrappers keep the user's function on `.listener`.
  const inner = (listener as {listener?: unknown}).listener;
  const fn = typeof inner === 'function' ? inner : listener;
  return (fn as {name?: string}).name || '(anonymous)';
}

function sameParts(a: StateSnapshot, b: StateSnapshot): boolean {
  return (
    a.globals === b.globals &&
    a.sandboxEnv === b.sandboxEnv &&
    a.realEnv === b.realEnv &&
    a.cwd === b.cwd &&
    a.sandboxListeners === b.sandboxListeners &&
    a.realListeners === b.realListeners
  );
}

/**
 * Snapshots the state a test can pollute — sandbox globals (all own keys, incl. symbols
 * and non-enumerables), `process.env` of the sandbox and of the real process, the real
 * cwd, and listeners of both processes — and diffs two snapshots. A file-depth snapshot
 * costs ~130 µs (the contextified global's interceptors); a test-depth one ~30 µs, so that
 * one runs around every test.
 */
export function createStateSnapshotter(options: StateSnapshotterOptions): StateSnapshotter {
  const sandboxGlobal = options.global;
  const sandboxContext = options.context ?? options.global;
  const realGlobal = options.realGlobal ?? globalThis;
  const realProcess: ProcessLike = options.realProcess ?? (process as unknown as ProcessLike);
  const sandboxProcess = options.sandboxProcess !== realProcess ? options.sandboxProcess : undefined;
  const allowed = compileAllow(options.allowGlobals ?? []);
  const secretPattern = options.secretPattern ?? DEFAULT_SECRET_PATTERN;
  const check = {global: true, env: true, cwd: true, 'process-listener': true, ...options.check};

  const layouts = new WeakMap<GlobalsMap, GlobalsLayout>();
  const lastTaken: Partial<Record<SnapshotDepth, StateSnapshot>> = {};
  const sandboxEnvWrites = check.env && sandboxProcess ? countEnvWrites(sandboxProcess) : undefined;
  /** The write count each sandbox env reading was taken at. */
  const envReadAt = new WeakMap<EnvMap, number>();

  function takeSandboxEnv(previous: EnvMap | undefined): EnvMap | undefined {
    const env = sandboxProcess!.env;
    const counted = sandboxEnvWrites !== undefined && env === sandboxEnvWrites.proxy;
    if (counted && previous && envReadAt.get(previous) === sandboxEnvWrites.writes) return previous;
    const map = readEnv(env, previous);
    if (counted && map) envReadAt.set(map, sandboxEnvWrites.writes);
    return map;
  }

  /** File-depth readings that have a context view (vm context given). */
  const fileInfos = new WeakMap<GlobalsMap, FileGlobalsInfo>();

  /**
   * The whole global: the previous file-depth reading again when the context is unchanged and
   * the global lists the same keys (the context first: it is cheaper, and where it changed it
   * usually fails at once). A built-in not in the context cannot have changed then: code that
   * assigns, defines or deletes one on the global changes the context or the key list.
   */
  function takeFileGlobals(previous: ReadonlyMap<PropertyKey, GlobalEntry> | undefined): GlobalsMap {
    const backing = sandboxContext !== sandboxGlobal ? sandboxContext : undefined;
    const info = previous ? fileInfos.get(previous as GlobalsMap) : undefined;
    const layout = info ? layouts.get(info.contextView) : undefined;
    if (info && layout && globalsUnchanged(sandboxContext, layout) && sameKeys(Reflect.ownKeys(sandboxGlobal), info.globalKeys)) {
      return previous as GlobalsMap;
    }
    const read = readGlobals(sandboxGlobal, layouts, backing);
    const contextView = backing ? contextViewOf(backing, read, layouts) : undefined;
    const globalKeys = layouts.get(read)?.keys;
    if (contextView && globalKeys) fileInfos.set(read, {globalKeys, contextView});
    return read;
  }

  function takeGlobals(depth: SnapshotDepth, previous: ReadonlyMap<PropertyKey, GlobalEntry> | undefined): GlobalsMap {
    if (depth === 'file') return takeFileGlobals(previous);
    // Test depth reads the context, a plain object: when nothing changed since the last
    // reading, that reading is this one too (and the comparison is skipped).
    const layout = previous ? layouts.get(previous as GlobalsMap) : undefined;
    if (layout && globalsUnchanged(sandboxContext, layout)) return previous as GlobalsMap;
    return readGlobals(sandboxContext, layouts);
  }

  function realValueOf(key: PropertyKey): unknown {
    try {
      return (realGlobal as Record<PropertyKey, unknown>)[key];
    } catch {
      return undefined;
    }
  }

  function sameGlobal(key: PropertyKey, a: GlobalEntry, b: GlobalEntry): boolean {
    if (a.accessor === b.accessor) {
      return a.accessor ? a.get === b.get && a.set === b.set : Object.is(a.value, b.value);
    }
    // Jest's lazy getter for a Node global turned into a data property holding the outer value.
    const data = a.accessor ? b : a;
    return Object.is(data.value, realValueOf(key));
  }

  function renderEntry(key: PropertyKey, entry: GlobalEntry): string {
    if (!entry.accessor) return renderValue(entry.value);
    return entry.get ? `[Getter${entry.set ? '/Setter' : ''}]` : '[Setter]';
  }

  function diffGlobals(
    before: ReadonlyMap<PropertyKey, GlobalEntry>,
    after: ReadonlyMap<PropertyKey, GlobalEntry>,
    baseline: ReadonlyMap<PropertyKey, GlobalEntry> | undefined,
  ): StateChange[] {
    const changes: StateChange[] = [];
    const consider = (key: PropertyKey): boolean => {
      if (typeof key === 'symbol') return !isToolSymbol(key) && !allowed(key.toString());
      return !allowed(String(key));
    };
    for (const [key, entry] of after) {
      const previous = before.get(key) ?? baseline?.get(key);
      if (previous && sameGlobal(key, previous, entry)) continue;
      if (!consider(key)) continue;
      if (typeof key === 'string' && FAKE_TIMER_KEYS.has(key) && (isFake(entry.value) || isFake(previous?.value))) continue;
      if (!previous) {
        changes.push({kind: 'global', key: keyName(key), change: 'added', after: renderEntry(key, entry)});
      } else {
        changes.push({
          kind: 'global',
          key: keyName(key),
          change: 'overwritten',
          before: renderEntry(key, previous),
          after: renderEntry(key, entry),
        });
      }
    }
    for (const [key, entry] of before) {
      if (after.has(key) || !consider(key)) continue;
      if (typeof key === 'string' && FAKE_TIMER_KEYS.has(key) && isFake(entry.value)) continue;
      changes.push({kind: 'global', key: keyName(key), change: 'deleted', before: renderEntry(key, entry)});
    }
    return changes;
  }

  function diffEnv(
    target: StateTarget,
    before: ReadonlyMap<string, string | undefined> | undefined,
    after: ReadonlyMap<string, string | undefined> | undefined,
  ): StateChange[] {
    if (!before || !after || before === after) return [];
    const changes: StateChange[] = [];
    const show = (key: string, value: string | undefined): string | undefined =>
      value === undefined ? undefined : secretPattern.test(key) ? REDACTED : renderValue(value);
    for (const [key, value] of after) {
      if (!before.has(key)) {
        changes.push({kind: 'env', target, key, change: 'added', after: show(key, value), redacted: secretPattern.test(key)});
      } else if (before.get(key) !== value) {
        changes.push({
          kind: 'env',
          target,
          key,
          change: 'changed',
          before: show(key, before.get(key)),
          after: show(key, value),
          redacted: secretPattern.test(key),
        });
      }
    }
    for (const [key, value] of before) {
      if (!after.has(key)) {
        changes.push({kind: 'env', target, key, change: 'deleted', before: show(key, value), redacted: secretPattern.test(key)});
      }
    }
    return changes;
  }

  function diffListeners(target: StateTarget, before: ListenerMap | undefined, after: ListenerMap | undefined): StateChange[] {
    if (!before || !after || before === after) return [];
    const changes: StateChange[] = [];
    for (const [event, listeners] of after) {
      const remaining = [...(before.get(event) ?? [])];
      const added: unknown[] = [];
      for (const listener of listeners) {
        const index = remaining.indexOf(listener);
        if (index === -1) added.push(listener);
        else remaining.splice(index, 1);
      }
      if (added.length > 0) {
        changes.push({
          kind: 'process-listener',
          target,
          event: keyName(event),
          added: added.length,
          listeners: added.map(listenerName),
        });
      }
    }
    return changes;
  }

  return {
    take(depth: SnapshotDepth = 'file'): StateSnapshot {
      let cwd: string | undefined;
      if (check.cwd && typeof realProcess.cwd === 'function') {
        try {
          cwd = realProcess.cwd();
        } catch {
          // The cwd was deleted; nothing to compare against.
          cwd = undefined;
        }
      }
      const previous = lastTaken[depth];
      const snapshot: StateSnapshot = {
        depth,
        globals: check.global ? takeGlobals(depth, previous?.globals) : undefined,
        sandboxEnv: check.env && sandboxProcess ? takeSandboxEnv(previous?.sandboxEnv as EnvMap | undefined) : undefined,
        realEnv: check.env && depth === 'file' ? readEnv(realProcess.env, previous?.realEnv as EnvMap | undefined) : undefined,
        cwd,
        sandboxListeners: check['process-listener'] ? readListeners(sandboxProcess, previous?.sandboxListeners) : undefined,
        realListeners: check['process-listener'] ? readListeners(realProcess, previous?.realListeners) : undefined,
      };
      // Nothing changed since the last reading of this depth: that reading is this one, and
      // comparing the two is free.
      if (depth === 'test' && previous && sameParts(previous, snapshot)) return previous;
      lastTaken[depth] = snapshot;
      return snapshot;
    },
    testView(file: StateSnapshot): StateSnapshot | undefined {
      if (file.depth !== 'file') return undefined;
      const globals = file.globals ? fileInfos.get(file.globals as GlobalsMap)?.contextView : undefined;
      if (file.globals && !globals) return undefined;
      const view: StateSnapshot = {
        depth: 'test',
        globals,
        sandboxEnv: file.sandboxEnv,
        realEnv: undefined,
        cwd: file.cwd,
        sandboxListeners: file.sandboxListeners,
        realListeners: file.realListeners,
      };
      lastTaken.test = view;
      return view;
    },
    diff(before, after, baseline) {
      if (before.depth !== after.depth) throw new Error(`cannot compare a ${before.depth} snapshot with a ${after.depth} snapshot`);
      if (before === after) return [];
      const changes: StateChange[] = [];
      // The same map: the second reading found nothing changed and reused the first.
      if (before.globals && after.globals && before.globals !== after.globals) {
        const fallback = before.depth === 'test' && baseline?.depth === 'file' ? baseline.globals : undefined;
        changes.push(...diffGlobals(before.globals, after.globals, fallback));
      }
      changes.push(...diffEnv('sandbox', before.sandboxEnv, after.sandboxEnv));
      changes.push(...diffEnv('process', before.realEnv, after.realEnv));
      if (before.cwd !== undefined && after.cwd !== undefined && before.cwd !== after.cwd) {
        changes.push({kind: 'cwd', before: before.cwd, after: after.cwd});
      }
      changes.push(...diffListeners('sandbox', before.sandboxListeners, after.sandboxListeners));
      changes.push(...diffListeners('process', before.realListeners, after.realListeners));
      return changes;
    },
  };
}
