import {EventEmitter} from 'node:events';
import * as vm from 'node:vm';
import {createStateSnapshotter, type ProcessLike} from '../state/snapshotState';
import {StateMonitor} from '../state/StateMonitor';
import {watchState} from '../state/watchState';

function fakeProcess(env: Record<string, string> = {}): ProcessLike & EventEmitter & {dir: string; chdir(dir: string): void} {
  const emitter = new EventEmitter() as EventEmitter & ProcessLike & {dir: string; chdir(dir: string): void};
  emitter.env = {...env};
  emitter.dir = '/start';
  emitter.cwd = () => emitter.dir;
  emitter.chdir = (dir: string) => {
    emitter.dir = dir;
  };
  return emitter;
}

function setup(extra: Partial<Parameters<typeof createStateSnapshotter>[0]> = {}) {
  const sandbox = vm.createContext({}) as Record<PropertyKey, unknown>;
  const global = vm.runInContext('this', sandbox) as Record<PropertyKey, unknown>;
  const sandboxProcess = fakeProcess({HOME: '/home/me', API_TOKEN: 'abc'});
  const realProcess = fakeProcess({PATH: '/bin'});
  const snapshotter = createStateSnapshotter({global, sandboxProcess, realProcess, ...extra});
  return {global, sandboxProcess, realProcess, snapshotter};
}

describe('createStateSnapshotter', () => {
  test('an unchanged sandbox has no changes', () => {
    const {snapshotter} = setup();
    expect(snapshotter.diff(snapshotter.take(), snapshotter.take())).toEqual([]);
  });

  test('reports added, overwritten (incl. non-enumerable and symbol) and deleted globals', () => {
    const {global, snapshotter} = setup();
    global.existing = 1;
    Object.defineProperty(global, 'hidden', {value: 'a', enumerable: false, configurable: true, writable: true});
    global.doomed = true;
    const before = snapshotter.take();
    global.added = {a: 1};
    global.existing = 2;
    global.hidden = 'b';
    delete global.doomed;
    global[Symbol('mine')] = 1;
    const changes = snapshotter.diff(before, snapshotter.take());
    expect(changes).toEqual(
      expect.arrayContaining([
        {kind: 'global', key: 'added', change: 'added', after: '[object Object]'},
        {kind: 'global', key: 'existing', change: 'overwritten', before: '1', after: '2'},
        {kind: 'global', key: 'hidden', change: 'overwritten', before: '"a"', after: '"b"'},
        {kind: 'global', key: 'doomed', change: 'deleted', before: 'true'},
        {kind: 'global', key: 'Symbol(mine)', change: 'added', after: '1'},
      ]),
    );
    expect(changes).toHaveLength(5);
  });

  test('a global set and restored, and allowed names, are not reported', () => {
    const {global, snapshotter} = setup({allowGlobals: ['leakwatch', 'myLib*']});
    const before = snapshotter.take();
    global.temp = 1;
    delete global.temp;
    global.leakwatch = {};
    global.myLibCache = [];
    global[Symbol.for('leakwatch.stateWatchers')] = new Map();
    global[Symbol.for('$$jest-matchers-object')] = {};
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([]);
  });

  test("Jest's lazy getter replaced by the outer value is not a change; by another value it is", () => {
    const {global, snapshotter} = setup({realGlobal: {URL: 'outer-url', Blob: 'outer-blob'}});
    Object.defineProperty(global, 'URL', {get: () => 'outer-url', configurable: true});
    Object.defineProperty(global, 'Blob', {get: () => 'outer-blob', configurable: true});
    const before = snapshotter.take();
    Object.defineProperty(global, 'URL', {value: 'outer-url', writable: true, configurable: true});
    Object.defineProperty(global, 'Blob', {value: 'polyfill', writable: true, configurable: true});
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([
      {kind: 'global', key: 'Blob', change: 'overwritten', before: '[Getter]', after: '"polyfill"'},
    ]);
  });

  test('fake timers swapped in are not reported, a plain overwrite of setTimeout is', () => {
    const {global, snapshotter} = setup();
    const realTimeout = () => undefined;
    global.setTimeout = realTimeout;
    global.setInterval = realTimeout;
    const before = snapshotter.take();
    const fake = Object.assign(() => undefined, {clock: {}});
    global.setTimeout = fake;
    global.setInterval = function myInterval() {};
    const changes = snapshotter.diff(before, snapshotter.take());
    expect(changes).toEqual([
      {kind: 'global', key: 'setInterval', change: 'overwritten', before: '[Function realTimeout]', after: '[Function myInterval]'},
    ]);
  });

  test('reports env changes of the sandbox and of the real process, redacting secrets', () => {
    const {sandboxProcess, realProcess, snapshotter} = setup();
    const before = snapshotter.take();
    sandboxProcess.env.NODE_ENV = 'test';
    sandboxProcess.env.API_TOKEN = 'xyz';
    delete sandboxProcess.env.HOME;
    realProcess.env.PATH = '/usr/bin';
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([
      {kind: 'env', target: 'sandbox', key: 'API_TOKEN', change: 'changed', before: '[redacted]', after: '[redacted]', redacted: true},
      {kind: 'env', target: 'sandbox', key: 'NODE_ENV', change: 'added', after: '"test"', redacted: false},
      {kind: 'env', target: 'sandbox', key: 'HOME', change: 'deleted', before: '"/home/me"', redacted: false},
      {kind: 'env', target: 'process', key: 'PATH', change: 'changed', before: '"/bin"', after: '"/usr/bin"', redacted: false},
    ]);
  });

  describe('test depth: the vm context instead of the global, no real process.env', () => {
    function contextSetup() {
      const context = vm.createContext({}) as Record<PropertyKey, unknown>;
      const global = vm.runInContext('this', context) as Record<PropertyKey, unknown>;
      const realProcess = fakeProcess({PATH: '/bin'});
      const snapshotter = createStateSnapshotter({global, context, sandboxProcess: fakeProcess(), realProcess});
      return {context, global, realProcess, snapshotter};
    }

    test('sees what code in the context adds, defines, overwrites and deletes', () => {
      const {context, snapshotter} = contextSetup();
      vm.runInContext('globalThis.doomed = 1; globalThis.kept = 1', context);
      const baseline = snapshotter.take('file');
      const before = snapshotter.take('test');
      vm.runInContext(
        `globalThis.added = 1;
         Object.defineProperty(globalThis, 'hidden', {value: 2, enumerable: false, configurable: true});
         globalThis.kept = 3;
         delete globalThis.doomed;
         globalThis.escape = function fakeEscape() {};`,
        context,
      );
      const changes = snapshotter.diff(before, snapshotter.take('test'), baseline);
      expect(changes).toEqual([
        {kind: 'global', key: 'kept', change: 'overwritten', before: '1', after: '3'},
        {kind: 'global', key: 'added', change: 'added', after: '1'},
        {kind: 'global', key: 'hidden', change: 'added', after: '2'},
        // A built-in lives on the global until overwritten: the file baseline names what it was.
        {kind: 'global', key: 'escape', change: 'overwritten', before: '[Function escape]', after: '[Function fakeEscape]'},
        {kind: 'global', key: 'doomed', change: 'deleted', before: '1'},
      ]);
    });

    test("a file-depth reading gives every key the descriptor the global itself reports (context keys are read from the context)", () => {
      const {context, global, snapshotter} = contextSetup();
      vm.runInContext(
        `globalThis.plain = 1;
         globalThis.Array = function FakeArray() {};
         delete globalThis.escape;
         globalThis[Symbol('tag')] = 'x';
         Object.defineProperty(globalThis, 'hidden', {value: 2, enumerable: false, configurable: true, writable: true});
         Object.defineProperty(globalThis, 'lazy', {get() { Object.defineProperty(globalThis, 'lazy', {value: 3, configurable: true}); return 3; }, configurable: true});
         Object.defineProperty(globalThis, 'eager', {get() { return 4; }, configurable: true});
         void globalThis.lazy;`,
        context,
      );
      const read = snapshotter.take('file').globals!;
      const keys = Reflect.ownKeys(global);
      expect([...read.keys()]).toEqual(keys);
      for (const key of keys) {
        const reported = Reflect.getOwnPropertyDescriptor(global, key)!;
        const entry = read.get(key)!;
        expect([key, entry.value, entry.get, entry.set]).toEqual([key, reported.value, reported.get, reported.set]);
      }
      expect(read.get('Array')!.value).toBe(vm.runInContext('Array', context));
      expect(read.get('lazy')).toMatchObject({accessor: false, value: 3});
      expect(read.get('eager')).toMatchObject({accessor: true});
      expect(read.has('escape')).toBe(false);
    });

    test('a deleted built-in and the real process.env are left to the file-depth comparison', () => {
      const {context, realProcess, snapshotter} = contextSetup();
      const fileBefore = snapshotter.take('file');
      const testBefore = snapshotter.take('test');
      vm.runInContext('delete globalThis.escape', context);
      realProcess.env.PATH = '/usr/bin';
      expect(snapshotter.diff(testBefore, snapshotter.take('test'), fileBefore)).toEqual([]);
      expect(snapshotter.diff(fileBefore, snapshotter.take('file'))).toEqual([
        {kind: 'global', key: 'escape', change: 'deleted', before: '[Function escape]'},
        {kind: 'env', target: 'process', key: 'PATH', change: 'changed', before: '"/bin"', after: '"/usr/bin"', redacted: false},
      ]);
    });

    test('an unchanged context reuses the previous reading; any change is still seen', () => {
      const {context, snapshotter} = contextSetup();
      vm.runInContext('globalThis.kept = {}; Object.defineProperty(globalThis, "lazy", {get() { return 1; }, configurable: true})', context);
      const first = snapshotter.take('test');
      const second = snapshotter.take('test');
      expect(second.globals).toBe(first.globals);
      expect(snapshotter.diff(first, second)).toEqual([]);
      vm.runInContext('globalThis.kept = {}', context); // same key, another object
      const third = snapshotter.take('test');
      expect(snapshotter.diff(second, third).map(change => change.kind === 'global' && change.change)).toEqual(['overwritten']);
      vm.runInContext('Object.defineProperty(globalThis, "lazy", {get() { return 2; }, configurable: true})', context);
      expect(snapshotter.diff(third, snapshotter.take('test')).map(change => change.kind === 'global' && change.key)).toEqual(['lazy']);
    });

    test('nothing changed: the previous test-depth snapshot itself, with no env read', () => {
      const sandboxProcess = fakeProcess({HOME: '/home/me'});
      const env = sandboxProcess.env;
      const context = vm.createContext({});
      const snapshotter = createStateSnapshotter({global: vm.runInContext('this', context), context, sandboxProcess, realProcess: fakeProcess()});
      const first = snapshotter.take('test');
      const reads = jest.spyOn(Object, 'keys');
      try {
        expect(snapshotter.take('test')).toBe(first);
        expect(reads.mock.calls.some(([target]) => target === sandboxProcess.env || target === env)).toBe(false);
      } finally {
        reads.mockRestore();
      }
    });

    test('env writes are seen through the counting proxy, and after process.env is replaced', () => {
      const {sandboxProcess, snapshotter} = setup();
      const env = sandboxProcess.env;
      let before = snapshotter.take('test');
      const changesSince = (): string[] => {
        const after = snapshotter.take('test');
        const changes = snapshotter.diff(before, after).map(change => (change.kind === 'env' ? `${change.change} ${change.key}` : change.kind));
        before = after;
        return changes;
      };
      env.ADDED = '1';
      expect(changesSince()).toEqual(['added ADDED']);
      delete env.ADDED;
      expect(changesSince()).toEqual(['deleted ADDED']);
      Object.defineProperty(env, 'DEFINED', {value: 'x', enumerable: true, configurable: true, writable: true});
      expect(changesSince()).toEqual(['added DEFINED']);
      expect(changesSince()).toEqual([]);
      sandboxProcess.env = {...env, REPLACED: 'yes'};
      expect(changesSince()).toEqual(['added REPLACED']);
      sandboxProcess.env.LATER = '2';
      expect(changesSince()).toEqual(['added LATER']);
    });

    test('the same listeners are the same reading; one more is a change', () => {
      const {sandboxProcess, realProcess, snapshotter} = setup();
      realProcess.on('exit', () => undefined);
      const first = snapshotter.take('test');
      const second = snapshotter.take('test');
      expect(second.realListeners).toBe(first.realListeners);
      sandboxProcess.on('exit', function onExit() {});
      expect(snapshotter.diff(second, snapshotter.take('test'))).toEqual([
        {kind: 'process-listener', target: 'sandbox', event: 'exit', added: 1, listeners: ['onExit']},
      ]);
    });

    test('an unchanged global and context reuse the previous file-depth reading; a change to either is still seen', () => {
      const {context, realProcess, snapshotter} = contextSetup();
      vm.runInContext('globalThis.kept = 1', context);
      const first = snapshotter.take('file');
      const second = snapshotter.take('file');
      expect(second.globals).toBe(first.globals);
      expect(second.realEnv).toBe(first.realEnv);
      expect(snapshotter.diff(first, second)).toEqual([]);
      realProcess.env.PATH = '/usr/bin';
      vm.runInContext('globalThis.kept = 2; globalThis.Array = function FakeArray() {}', context);
      const third = snapshotter.take('file');
      // Sorted: Node 20 and 24 list a context's keys and a shadowed built-in in different orders.
      const changed = snapshotter.diff(second, third).map(change => (change.kind === 'global' || change.kind === 'env' ? `${change.kind} ${change.key}` : change.kind));
      expect(changed.sort()).toEqual(['env PATH', 'global Array', 'global kept']);
      vm.runInContext('delete globalThis.escape', context);
      expect(snapshotter.diff(third, snapshotter.take('file'))).toEqual([{kind: 'global', key: 'escape', change: 'deleted', before: '[Function escape]'}]);
    });

    test("a file-depth snapshot's test view is the test-depth reading of that moment", () => {
      const {context, snapshotter} = contextSetup();
      vm.runInContext('globalThis.kept = 1; Object.defineProperty(globalThis, "lazy", {get() { return 1; }, configurable: true})', context);
      const view = snapshotter.testView(snapshotter.take('file'))!;
      expect(view.depth).toBe('test');
      expect(view.realEnv).toBeUndefined();
      const read = snapshotter.take('test');
      // Nothing changed: the next test-depth reading is the view itself.
      expect(read).toBe(view);
      const fresh = createStateSnapshotter({global: vm.runInContext('this', context), context, sandboxProcess: fakeProcess(), realProcess: fakeProcess()}).take('test');
      expect([...view.globals!.entries()]).toEqual([...fresh.globals!.entries()]);
      vm.runInContext('globalThis.kept = 2', context);
      expect(snapshotter.diff(view, snapshotter.take('test')).map(change => change.kind === 'global' && change.key)).toEqual(['kept']);
      expect(snapshotter.testView(read)).toBeUndefined();
    });

    test('snapshots of different depths are not compared', () => {
      const {snapshotter} = contextSetup();
      expect(() => snapshotter.diff(snapshotter.take('file'), snapshotter.take('test'))).toThrow('cannot compare a file snapshot with a test snapshot');
    });
  });

  test('env restored by delete is clean', () => {
    const {sandboxProcess, snapshotter} = setup();
    const before = snapshotter.take();
    sandboxProcess.env.TEMP_FLAG = '1';
    delete sandboxProcess.env.TEMP_FLAG;
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([]);
  });

  test('reports a cwd change of the real process', () => {
    const {realProcess, snapshotter} = setup();
    const before = snapshotter.take();
    realProcess.chdir('/elsewhere');
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([{kind: 'cwd', before: '/start', after: '/elsewhere'}]);
  });

  test('reports listeners added and not removed on either process, not removed ones', () => {
    const {sandboxProcess, realProcess, snapshotter} = setup();
    const kept = () => undefined;
    realProcess.on('exit', kept);
    const before = snapshotter.take();
    sandboxProcess.on('unhandledRejection', function onRejection() {});
    sandboxProcess.once('exit', function onceExit() {});
    realProcess.on('exit', kept); // the same function twice is two registrations
    const removed = () => undefined;
    realProcess.on('SIGTERM', removed);
    realProcess.off('SIGTERM', removed);
    expect(snapshotter.diff(before, snapshotter.take())).toEqual([
      {kind: 'process-listener', target: 'sandbox', event: 'unhandledRejection', added: 1, listeners: ['onRejection']},
      {kind: 'process-listener', target: 'sandbox', event: 'exit', added: 1, listeners: ['onceExit']},
      {kind: 'process-listener', target: 'process', event: 'exit', added: 1, listeners: ['kept']},
    ]);
  });

  test('a real Jest-like setup: sandbox process copy listeners do not reach the real process', () => {
    const {snapshotter} = setup({realProcess: process as unknown as ProcessLike});
    const before = snapshotter.take();
    const listener = () => undefined;
    process.on('warning', listener);
    try {
      const changes = snapshotter.diff(before, snapshotter.take());
      expect(changes).toEqual([{kind: 'process-listener', target: 'process', event: 'warning', added: 1, listeners: ['listener']}]);
    } finally {
      process.off('warning', listener);
    }
  });
});

describe('StateMonitor', () => {
  const severity = {global: 'warn', env: 'warn', cwd: 'warn', 'process-listener': 'warn', state: 'warn'} as const;

  test('attributes each change to the test that made it, once, and file-level changes to the file', () => {
    const {global, sandboxProcess, realProcess} = setup();
    const monitor = new StateMonitor({global, sandboxProcess, realProcess, file: 'a.test.js', severity});
    global.fromModule = 1;
    monitor.fileStart();
    global.fromBeforeAll = 1; // a beforeAll that nobody undoes
    monitor.testStart();
    global.leaky = 'x';
    const first = monitor.testEnd(['suite', 'leaks a global']);
    monitor.testStart();
    sandboxProcess.env.RESTORED = '1';
    delete sandboxProcess.env.RESTORED;
    const second = monitor.testEnd(['suite', 'restores env']);
    const file = monitor.fileEnd();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'global',
      severity: 'warn',
      scope: 'test',
      scopePath: ['suite', 'leaks a global'],
      resourceType: 'globalThis',
      message: 'Global "leaky" was added by this test and not restored ("x")',
      details: {key: 'leaky', change: 'added', after: '"x"'},
    });
    expect(second).toEqual([]);
    expect(file.map(f => [f.scope, f.details.key])).toEqual([['file', 'fromBeforeAll']]);
    expect(monitor.warnings).toEqual([]);
  });

  test('a continuing test starts from the previous end snapshot, including watched state', () => {
    const {global, sandboxProcess, realProcess} = setup();
    const registry = {count: 0};
    watchState('registry', () => registry, global);
    const monitor = new StateMonitor({global, sandboxProcess, realProcess, file: 'a.test.js', severity});
    monitor.fileStart();
    monitor.testStart();
    monitor.testEnd(['one']);
    // The caller vouches that nothing ran here; what did run is then the next test's.
    global.between = 1;
    registry.count = 1;
    monitor.testStart(true);
    expect(monitor.testEnd(['two']).map(f => [f.kind, f.scopePath])).toEqual([
      ['global', ['two']],
      ['state', ['two']],
    ]);
    // No previous end (file start without a vm context to read a test view from, or a failed
    // snapshot): a fresh snapshot is taken.
    monitor.fileStart();
    global.beforeThree = 1;
    monitor.testStart(true);
    expect(monitor.testEnd(['three'])).toEqual([]);
    monitor.testStart(true);
    realProcess.chdir('/tmp');
    expect(monitor.testEnd(['four']).map(f => f.kind)).toEqual(['cwd']);
  });

  test("with a vm context, the first continuing test starts from the file's start reading", () => {
    const context = vm.createContext({}) as Record<PropertyKey, unknown>;
    const global = vm.runInContext('this', context) as Record<PropertyKey, unknown>;
    const monitor = new StateMonitor({global, context, sandboxProcess: fakeProcess(), realProcess: fakeProcess(), file: 'a.test.js', severity});
    monitor.fileStart();
    // The caller vouches that nothing ran here (no beforeAll): what did run is the first test's.
    global.beforeOne = 1;
    monitor.testStart(true);
    expect(monitor.testEnd(['one']).map(f => [f.details.key, f.scopePath])).toEqual([['beforeOne', ['one']]]);
    monitor.fileStart();
    global.beforeTwo = 1;
    monitor.testStart(false);
    expect(monitor.testEnd(['two'])).toEqual([]);
    expect(monitor.fileEnd().map(f => [f.details.key, f.scope])).toEqual([['beforeTwo', 'file']]);
  });

  test('kinds set to off are neither snapshotted nor reported', () => {
    const {global, sandboxProcess, realProcess} = setup();
    const monitor = new StateMonitor({global, sandboxProcess, realProcess, file: 'a.test.js', severity: {...severity, env: 'off', global: 'off'}});
    monitor.testStart();
    global.leaky = 1;
    sandboxProcess.env.X = '1';
    realProcess.chdir('/tmp');
    expect(monitor.testEnd(['t']).map(f => f.kind)).toEqual(['cwd']);
  });

  test('watchState: reports the changed paths of a watched object, and nothing when restored', () => {
    const {global, sandboxProcess, realProcess} = setup();
    const config = {retries: 1, nested: {list: [1, 2]}, map: new Map([['k', 'v']])};
    watchState('config', () => config, global);
    const monitor = new StateMonitor({global, sandboxProcess, realProcess, file: 'a.test.js', severity});
    monitor.fileStart();
    monitor.testStart();
    config.retries = 5;
    config.nested.list.push(3);
    config.map.delete('k');
    const findings = monitor.testEnd(['mutates config']);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({kind: 'state', resourceType: 'watchState', scopePath: ['mutates config']});
    expect(findings[0]!.details.changes).toEqual(
      expect.arrayContaining([
        {path: '$.retries', before: '1', after: '5'},
        {path: '$.nested.list', before: 'Array(2)', after: 'Array(3)'},
        {path: '$.nested.list[2]', after: '3'},
        {path: '$.map<"k">', before: '"v"'},
      ]),
    );
    expect(findings[0]!.message).toContain('$.retries: 1 → 5');
    monitor.testStart();
    const saved = config.retries;
    config.retries = 99;
    config.retries = saved;
    expect(monitor.testEnd(['restores'])).toEqual([]);
  });

  test('a watchState getter that throws becomes a warning, not an exception', () => {
    const {global, sandboxProcess, realProcess} = setup();
    watchState('broken', () => {
      throw new Error('nope');
    }, global);
    const monitor = new StateMonitor({global, sandboxProcess, realProcess, file: 'a.test.js', severity});
    monitor.testStart();
    expect(monitor.testEnd(['t'])).toEqual([]);
    expect(monitor.warnings[0]).toContain('watchState("broken") getter threw: nope');
  });
});
