import {EventEmitter} from 'node:events';
import * as vm from 'node:vm';
import {getGc, nextTurn} from '../memory/gc';
import {watchFileHandleGc} from '../gc/fileHandleWarnings';
import {GC_TRACKER_KEY, GcTracker, getGcTracker, trackResource} from '../gc/trackResource';
import {unclosedToFinding} from '../gc/unclosedFindings';

class PoolConn {
  open = true;
  close(): void {
    this.open = false;
  }
}

async function collect(): Promise<void> {
  const gc = getGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await nextTurn();
  }
}

// Allocations in their own frames, so nothing on this stack keeps them alive.
function openAndForget(tracker: GcTracker): void {
  tracker.track(new PoolConn(), {label: 'db-1'});
}
function openAndClose(tracker: GcTracker): void {
  tracker.track(new PoolConn()).close();
}
function openAndCloseAsync(tracker: GcTracker): Promise<void> {
  const handle = {async end() {}};
  return tracker.track(handle, {kind: 'AsyncThing'}).end();
}

describe('GcTracker', () => {
  test('an object collected without close() is reported with its creation stack and owner', async () => {
    const tracker = new GcTracker({currentOwner: () => ({scope: 'test', scopePath: ['pool', 'leaks']})});
    openAndForget(tracker);
    openAndClose(tracker);
    await openAndCloseAsync(tracker);
    expect(tracker.pending).toBe(1);
    await collect();
    const records = tracker.drain();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({resourceType: 'PoolConn', label: 'db-1', owner: {scope: 'test', scopePath: ['pool', 'leaks']}});
    expect(records[0]!.stack[0]).toMatch(/^openAndForget \(.*gcTrackResource\.test\.ts:\d+:\d+\)$/);
    expect(tracker.pending).toBe(0);
    expect(tracker.drain()).toEqual([]);
  });

  test('isClosed is asked after the close method and on sweep', async () => {
    const tracker = new GcTracker();
    (function () {
      const socket = {state: 'open', shutdown() {}, destroy() {}};
      tracker.track(socket, {closeMethod: 'shutdown', isClosed: s => s.state === 'closed'});
      socket.shutdown(); // did not really close
      const other = {state: 'open', destroy() {}};
      tracker.track(other, {isClosed: s => s.state === 'closed'});
      other.state = 'closed'; // closed behind the tracker's back
      tracker.sweep();
    })();
    await collect();
    expect(tracker.drain().map(r => r.resourceType)).toEqual(['Object']);
  });

  test('rejects objects it cannot watch', () => {
    const tracker = new GcTracker();
    expect(() => tracker.track({})).toThrow(/cannot tell when this Object is closed/);
    expect(() => tracker.track({close() {}}, {closeMethod: 'shutdown'})).toThrow('closeMethod "shutdown" is not a method');
    expect(() => tracker.track(null as never)).toThrow('needs an object');
  });

  test('trackResource finds the tracker the environment installed on a sandbox global', async () => {
    const sandbox = vm.runInContext('this', vm.createContext({})) as object;
    const tracker = new GcTracker();
    Object.defineProperty(sandbox, GC_TRACKER_KEY, {value: tracker, configurable: true});
    (function () {
      trackResource(new PoolConn(), {kind: 'Pool'}, sandbox);
    })();
    expect(getGcTracker(sandbox)).toBe(tracker);
    await collect();
    expect(tracker.drain().map(r => r.resourceType)).toEqual(['Pool']);
    // Without an environment it installs its own.
    const bare = vm.runInContext('this', vm.createContext({})) as object;
    trackResource(new PoolConn(), undefined, bare);
    expect(getGcTracker(bare)!.pending).toBe(1);
  });
});

describe('FileHandle GC warnings', () => {
  test("Node's 'Closing file descriptor N on garbage collection' becomes a record attributed to the opener", () => {
    const emitter = new EventEmitter();
    const records: unknown[] = [];
    const stop = watchFileHandleGc(emitter, r => records.push(r), fd =>
      fd === 19 ? {stack: ['openIt (src/a.test.js:3:9)'], owner: {scope: 'test', scopePath: ['t']}, path: '/tmp/x'} : undefined,
    );
    emitter.emit('warning', Object.assign(new Error('Closing file descriptor 19 on garbage collection'), {name: 'Warning'}));
    emitter.emit('warning', Object.assign(new Error('Closing a FileHandle object on garbage collection is deprecated.'), {code: 'DEP0137'}));
    emitter.emit('warning', new Error('Closing file descriptor 23 on garbage collection'));
    stop();
    emitter.emit('warning', new Error('Closing file descriptor 24 on garbage collection'));
    expect(records).toEqual([
      {resourceType: 'FileHandle', stack: ['openIt (src/a.test.js:3:9)'], owner: {scope: 'test', scopePath: ['t']}, details: {fd: 19, path: '/tmp/x', source: 'node warning'}},
      {resourceType: 'FileHandle', stack: [], details: {fd: 23, source: 'node warning'}},
    ]);
  });
});

describe('unclosedToFinding', () => {
  test('builds an unclosed-gc finding for the creator scope', () => {
    const finding = unclosedToFinding(
      {resourceType: 'PoolConn', label: 'db', stack: ['openIt (/abs/src/a.test.js:3:9)'], owner: {scope: 'test', scopePath: ['s', 't']}},
      {file: 'src/a.test.js', severity: 'warn', formatStack: frames => ({stack: frames.map(f => f.replace('/abs/', '')), location: {file: 'src/a.test.js', line: 3, column: 9}})},
    );
    expect(finding).toMatchObject({
      kind: 'unclosed-gc',
      severity: 'warn',
      scope: 'test',
      scopePath: ['s', 't'],
      resourceType: 'PoolConn',
      message: 'PoolConn "db" created at src/a.test.js:3 was garbage-collected without being closed',
      stack: ['openIt (src/a.test.js:3:9)'],
      location: {file: 'src/a.test.js', line: 3, column: 9},
      details: {label: 'db'},
    });
    expect(unclosedToFinding({resourceType: 'X', stack: []}, {file: 'a', severity: 'off'})).toBeUndefined();
  });
});
