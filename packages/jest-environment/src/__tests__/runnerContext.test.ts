import {executionAsyncResource} from 'node:async_hooks';
import {RunnerContextRelease} from '../runnerContext';

/**
 * AsyncLocalStorage as Node 16–22 build it (lib/async_hooks.js): enabled storages sit on a
 * list until disabled, and `run` puts the store on the executing resource under the
 * instance's own symbol. Synchronous here, so the tests do not depend on the Node version.
 */
const storageList: FakeStorage[] = [];
class FakeStorage {
  kResourceStore = Symbol('kResourceStore');
  enabled = false;
  _enable(): void {
    if (!this.enabled) {
      this.enabled = true;
      storageList.push(this);
    }
  }
  disable(): void {
    if (this.enabled) {
      this.enabled = false;
      storageList.splice(storageList.indexOf(this), 1);
    }
  }
  run<T>(store: unknown, callback: () => T): T {
    this._enable();
    const resource = executionAsyncResource() as Record<symbol, unknown>;
    const previous = resource[this.kResourceStore];
    resource[this.kResourceStore] = store;
    try {
      return callback();
    } finally {
      resource[this.kResourceStore] = previous;
    }
  }
}
const originalEnable = FakeStorage.prototype._enable;

afterEach(() => {
  for (const storage of [...storageList]) storage.disable();
  FakeStorage.prototype._enable = originalEnable;
});

test("releases the storage whose store holds the runner's test, and only that one", () => {
  const release = RunnerContextRelease.start(FakeStorage.prototype)!;
  const runner = new FakeStorage();
  const bystander = new FakeStorage();
  const test = {name: 'a test'};
  bystander.run({test: {name: 'another test'}}, () => undefined);
  runner.run({test}, () => {
    release.identify('hook', test); // the wrong key: no match
    expect(FakeStorage.prototype._enable).not.toBe(originalEnable);
    release.identify('test', test);
  });
  // Identified: no more watching.
  expect(FakeStorage.prototype._enable).toBe(originalEnable);
  expect(storageList).toEqual([bystander, runner]);
  release.release();
  expect(runner.enabled).toBe(false);
  expect(storageList).toEqual([bystander]);
});

test('a hook identifies the storage too (a file whose only code is in beforeAll)', () => {
  const release = RunnerContextRelease.start(FakeStorage.prototype)!;
  const runner = new FakeStorage();
  const hook = {type: 'beforeAll'};
  runner.run({describeBlock: {}, hook, test: undefined}, () => release.identify('hook', hook));
  release.release();
  expect(storageList).toEqual([]);
});

test('a storage enabled before watching started is never released, even when it matches', () => {
  const earlier = new FakeStorage();
  earlier._enable();
  const release = RunnerContextRelease.start(FakeStorage.prototype)!;
  const test = {name: 'a test'};
  earlier.run({test}, () => release.identify('test', test));
  release.release();
  expect(storageList).toEqual([earlier]);
  expect(FakeStorage.prototype._enable).toBe(originalEnable);
});

test('teardown without identification restores the patch and releases nothing', () => {
  const release = RunnerContextRelease.start(FakeStorage.prototype)!;
  const unrelated = new FakeStorage();
  unrelated.run({other: true}, () => release.identify('test', {}));
  release.release();
  expect(FakeStorage.prototype._enable).toBe(originalEnable);
  expect(storageList).toEqual([unrelated]);
});

test('a wrapper installed over ours is left in place at teardown', () => {
  const release = RunnerContextRelease.start(FakeStorage.prototype)!;
  const ours = FakeStorage.prototype._enable;
  const theirs = function (this: FakeStorage) {
    ours.call(this);
  };
  FakeStorage.prototype._enable = theirs;
  release.release();
  expect(FakeStorage.prototype._enable).toBe(theirs);
});

test('does nothing where AsyncLocalStorage has no storage list (Node >= 24)', () => {
  expect(RunnerContextRelease.start({})).toBeUndefined();
});
