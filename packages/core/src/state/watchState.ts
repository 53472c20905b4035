import {createHash} from 'node:crypto';
import {constructorName, renderValue} from './describeValue';

/**
 * Where watchers live: on the test's global object, under a registry-wide symbol. Test
 * code gets its own module registry (its own copy of @leakwatch/core), but the symbol and
 * the global are shared with the environment in the outer realm, so both see one registry.
 */
export const STATE_WATCHERS_KEY: unique symbol = Symbol.for('leakwatch.stateWatchers') as never;

export type StateGetter = () => unknown;

function registryOf(target: object, create: boolean): Map<string, StateGetter> | undefined {
  const holder = target as Record<symbol, unknown>;
  const existing = holder[STATE_WATCHERS_KEY];
  if (existing instanceof Map || (existing && typeof (existing as Map<string, StateGetter>).get === 'function')) {
    return existing as Map<string, StateGetter>;
  }
  if (!create) return undefined;
  const registry = new Map<string, StateGetter>();
  Object.defineProperty(target, STATE_WATCHERS_KEY, {value: registry, configurable: true, enumerable: false, writable: false});
  return registry;
}

/**
 * Watches a piece of state: Leakwatch serializes `getter()` before and after every test
 * and reports the paths that changed as a `state` finding. Call it from a setup file or a
 * test; returns a function that stops watching.
 */
export function watchState(name: string, getter: StateGetter, target: object = globalThis): () => void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`Leakwatch: watchState(name, getter) needs a non-empty name; received ${renderValue(name)}.`);
  }
  if (typeof getter !== 'function') {
    throw new TypeError(`Leakwatch: watchState("${name}", getter) needs a function returning the state; received ${renderValue(getter)}.`);
  }
  const registry = registryOf(target, true)!;
  registry.set(name, getter);
  return () => {
    if (registry.get(name) === getter) registry.delete(name);
  };
}

/** The watchers registered on `target` (empty when none). */
export function getStateWatchers(target: object): ReadonlyMap<string, StateGetter> {
  return registryOf(target, false) ?? new Map();
}

export interface SerializeOptions {
  /** Deeper paths are summarized by their type. @default 12 */
  maxDepth?: number;
  /** Entries recorded before the rest is summarized. @default 20000 */
  maxEntries?: number;
}

/** A structural fingerprint: every leaf path → its rendering, plus a hash of all of them. */
export interface SerializedState {
  hash: string;
  entries: Map<string, string>;
  truncated: boolean;
}

function isTypedArray(value: object): value is ArrayBufferView & {length: number} {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Serializes a value into path → rendering entries: own enumerable keys of objects,
 * array indices, Map entries (by rendered key) and Set members, with cycles, depth and
 * size bounded. Plain data only; functions are compared by name.
 */
export function serializeState(value: unknown, options: SerializeOptions = {}): SerializedState {
  const maxDepth = options.maxDepth ?? 12;
  const maxEntries = options.maxEntries ?? 20000;
  const entries = new Map<string, string>();
  const seen = new Map<object, string>();
  let truncated = false;

  const record = (path: string, text: string): boolean => {
    if (entries.size >= maxEntries) {
      truncated = true;
      return false;
    }
    entries.set(path, text);
    return true;
  };

  const visit = (current: unknown, path: string, depth: number): void => {
    if (typeof current !== 'object' || current === null) {
      record(path, typeof current === 'function' ? renderValue(current) : primitive(current));
      return;
    }
    const previousPath = seen.get(current);
    if (previousPath !== undefined) {
      record(path, `[Circular ${previousPath}]`);
      return;
    }
    if (current instanceof Date) {
      record(path, `Date(${Number.isNaN(current.getTime()) ? 'Invalid' : current.toISOString()})`);
      return;
    }
    if (current instanceof RegExp) {
      record(path, String(current));
      return;
    }
    if (isTypedArray(current)) {
      const bytes = new Uint8Array(current.buffer, current.byteOffset, current.byteLength);
      const digest = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
      record(path, `${constructorName(current)}(${current.length}) #${digest}`);
      return;
    }
    const ctor = Array.isArray(current) ? `Array(${current.length})` : constructorName(current);
    if (depth >= maxDepth) {
      record(path, `[${ctor} …]`);
      return;
    }
    seen.set(current, path);
    if (current instanceof Map) {
      if (!record(path, `Map(${current.size})`)) return;
      for (const [key, item] of current) {
        visit(item, `${path}<${typeof key === 'string' ? JSON.stringify(key) : renderValue(key)}>`, depth + 1);
      }
    } else if (current instanceof Set) {
      if (!record(path, `Set(${current.size})`)) return;
      let index = 0;
      for (const item of current) visit(item, `${path}{${index++}}`, depth + 1);
    } else if (Array.isArray(current)) {
      if (!record(path, ctor)) return;
      for (let index = 0; index < current.length; index++) visit(current[index], `${path}[${index}]`, depth + 1);
    } else {
      if (!record(path, ctor === 'Object' ? '{}' : `${ctor} {}`)) return;
      for (const key of Object.keys(current).sort()) {
        let item: unknown;
        try {
          item = (current as Record<string, unknown>)[key];
        } catch (error) {
          item = `[getter threw ${(error as Error)?.message ?? 'error'}]`;
        }
        visit(item, `${path}${pathKey(key)}`, depth + 1);
      }
    }
    seen.delete(current);
  };

  visit(value, '$', 0);
  const hash = createHash('sha1');
  for (const [path, text] of entries) hash.update(path).update('\u0000').update(text).update('\u0001');
  return {hash: hash.digest('hex'), entries, truncated};
}

function primitive(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  return String(value);
}

export interface StatePathChange {
  path: string;
  before?: string;
  after?: string;
}

/** Path-level difference of two serializations (cheap when their hashes match). */
export function diffSerializedState(before: SerializedState, after: SerializedState): StatePathChange[] {
  if (before.hash === after.hash) return [];
  const changes: StatePathChange[] = [];
  for (const [path, text] of after.entries) {
    const previous = before.entries.get(path);
    if (previous === undefined) changes.push({path, after: text});
    else if (previous !== text) changes.push({path, before: previous, after: text});
  }
  for (const [path, text] of before.entries) {
    if (!after.entries.has(path)) changes.push({path, before: text});
  }
  return changes;
}
