import {AsyncLocalStorage, executionAsyncResource} from 'node:async_hooks';

/** What Node < 24 exposes on an AsyncLocalStorage (its storage list entry points). */
interface ListedStorage {
  enabled?: boolean;
  kResourceStore?: symbol;
  disable(): void;
}

type EnableFn = (this: ListedStorage) => void;

/**
 * jest-circus 30 creates an AsyncLocalStorage per test file (its test execution context) and
 * never disables it. Before Node 24's AsyncContextFrame, an enabled storage stays in a
 * process-wide list that every new promise walks, so the Nth file a worker runs pays N
 * propagations per promise (on 50 small files, ~10% of the run). This finds the file's
 * instance (the storage whose store holds the circus test or hook being started) and
 * disables it when the file is done, as cleanup does for the file's other leftovers.
 *
 * Only storages first enabled while this file runs are candidates, and only the one that
 * holds circus's own store is released; everything else is left as it is.
 */
export class RunnerContextRelease {
  private readonly candidates: ListedStorage[] = [];
  private runnerStorage: ListedStorage | undefined;
  private restorePatch: (() => void) | undefined;

  /** Starts watching for storages being enabled; undefined where Node has no storage list. */
  static start(prototype: object = AsyncLocalStorage.prototype): RunnerContextRelease | undefined {
    const target = prototype as {_enable?: EnableFn};
    const original = target._enable;
    if (typeof original !== 'function') return undefined;
    const release = new RunnerContextRelease();
    const candidates = release.candidates;
    const patched: EnableFn = function _enable(this: ListedStorage) {
      if (this.enabled === false && typeof this.kResourceStore === 'symbol') candidates.push(this);
      return original.call(this);
    };
    target._enable = patched;
    release.restorePatch = () => {
      // Someone wrapped it after us: leave theirs in place (it calls ours, which stays harmless).
      if (target._enable === patched) target._enable = original;
    };
    return release;
  }

  /**
   * Called at test_start and hook_start, inside circus's context: the candidate whose store,
   * as seen from here, holds `entry` (the test or hook) is the runner's.
   */
  identify(key: 'test' | 'hook', entry: object): void {
    if (this.runnerStorage || this.candidates.length === 0) return;
    const resource = executionAsyncResource() as Record<symbol, unknown>;
    for (const storage of this.candidates) {
      const store = resource[storage.kResourceStore!] as Record<string, unknown> | undefined;
      if (store !== null && typeof store === 'object' && store[key] === entry) {
        this.runnerStorage = storage;
        this.candidates.length = 0;
        this.stopWatching();
        return;
      }
    }
  }

  /** At teardown: takes the runner's storage off the list and stops watching. */
  release(): void {
    this.stopWatching();
    this.candidates.length = 0;
    const storage = this.runnerStorage;
    this.runnerStorage = undefined;
    if (storage?.enabled) storage.disable();
  }

  private stopWatching(): void {
    this.restorePatch?.();
    this.restorePatch = undefined;
  }
}
