import * as vm from 'node:vm';
import {diffSerializedState, getStateWatchers, serializeState, watchState} from '../state/watchState';

describe('serializeState', () => {
  test('equal structures hash equally regardless of key order', () => {
    expect(serializeState({a: 1, b: [1, {c: 'x'}]}).hash).toBe(serializeState({b: [1, {c: 'x'}], a: 1}).hash);
    expect(serializeState({a: 1}).hash).not.toBe(serializeState({a: 2}).hash);
  });

  test('handles cycles, Dates, typed arrays, Sets and depth limits', () => {
    const node: Record<string, unknown> = {when: new Date(0), bytes: new Uint8Array([1, 2]), tags: new Set(['a'])};
    node.self = node;
    const {entries} = serializeState(node);
    expect(entries.get('$.self')).toBe('[Circular $]');
    expect(entries.get('$.when')).toBe('Date(1970-01-01T00:00:00.000Z)');
    expect(entries.get('$.bytes')).toMatch(/^Uint8Array\(2\) #[0-9a-f]{12}$/);
    expect(entries.get('$.tags{0}')).toBe('"a"');
    const deep = {a: {b: {c: {d: 1}}}};
    expect(serializeState(deep, {maxDepth: 2}).entries.get('$.a.b')).toBe('[Object …]');
  });

  test('bounds the number of entries', () => {
    const result = serializeState(Array.from({length: 100}, (_, i) => i), {maxEntries: 10});
    expect(result.truncated).toBe(true);
    expect(result.entries.size).toBe(10);
  });

  test('diff lists added, removed and changed paths', () => {
    const before = serializeState({keep: 1, gone: 2, change: 'a'});
    const after = serializeState({keep: 1, change: 'b', fresh: true});
    expect(diffSerializedState(before, after)).toEqual([
      {path: '$.change', before: '"a"', after: '"b"'},
      {path: '$.fresh', after: 'true'},
      {path: '$.gone', before: '2'},
    ]);
  });
});

describe('watchState registry', () => {
  test('a watcher registered inside another realm is visible from this one via the shared symbol', () => {
    const context = vm.createContext({});
    // Test code runs with its own copy of @leakwatch/core: emulate it with a registry made by
    // the other realm's own Map and Symbol.for.
    vm.runInContext(
      `const key = Symbol.for('leakwatch.stateWatchers');
       Object.defineProperty(globalThis, key, {value: new Map(), configurable: true});
       globalThis[key].set('counter', () => 42);`,
      context,
    );
    const global = vm.runInContext('this', context) as object;
    const watchers = getStateWatchers(global);
    expect([...watchers.keys()]).toEqual(['counter']);
    expect(watchers.get('counter')!()).toBe(42);
    const stop = watchState('other', () => 1, global);
    expect([...getStateWatchers(global).keys()]).toEqual(['counter', 'other']);
    stop();
    expect([...getStateWatchers(global).keys()]).toEqual(['counter']);
  });

  test('rejects bad arguments with a clear message', () => {
    expect(() => watchState('', () => 1, {})).toThrow('needs a non-empty name');
    expect(() => watchState('x', 5 as never, {})).toThrow('needs a function');
  });
});
