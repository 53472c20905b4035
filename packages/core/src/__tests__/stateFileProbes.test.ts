import {EventEmitter} from 'node:events';
import * as vm from 'node:vm';
import type {Finding} from '../model';
import {resolveOptions} from '../options';
import {FileProbes, type ProbeTest} from '../probes/FileProbes';
import {trackResource} from '../gc/trackResource';
import {watchState} from '../state/watchState';

/** `withContext`: pass the vm context behind the global, as the environment does. */
function harness(leakwatch: Record<string, unknown> = {}, {withContext = false} = {}) {
  const context = vm.createContext({});
  const global = vm.runInContext('this', context) as Record<PropertyKey, unknown>;
  const sandboxProcess = Object.assign(new EventEmitter(), {env: {A: '1'} as Record<string, string | undefined>});
  const realProcess = Object.assign(new EventEmitter(), {env: {} as Record<string, string | undefined>, cwd: jest.fn(() => '/root')});
  const testFindings = new Map<string, Finding[]>();
  const fileFindings: Finding[] = [];
  const deltas = new Map<string, number>();
  const probes = new FileProbes(
    {
      global,
      ...(withContext ? {context} : {}),
      sandboxProcess,
      realProcess,
      testPath: '/root/src/a.test.js',
      rootDir: '/root',
      options: resolveOptions(leakwatch),
      allowGlobals: ['myEnvOption'],
    },
    {
      addTestFinding: (titlePath, finding) => testFindings.set(titlePath.join(' › '), [...(testFindings.get(titlePath.join(' › ')) ?? []), finding]),
      addFileFinding: finding => fileFindings.push(finding),
      setTestMemoryDelta: (titlePath, bytes) => deltas.set(titlePath.join(' › '), bytes),
    },
  );
  const state = {unhandledErrors: [] as unknown[]};
  const root = {name: 'ROOT_DESCRIBE_BLOCK'};
  const suite = {name: 'suite', parent: root};
  const run = async (name: string, body: () => void | Promise<void>): Promise<ProbeTest> => {
    const test: ProbeTest = {name, parent: suite, errors: []};
    await probes.handleTestEvent({name: 'test_start', test}, state);
    await body();
    await probes.handleTestEvent({name: 'test_done', test}, state);
    return test;
  };
  /** A beforeAll/afterAll that circus runs outside any test. */
  const hook = async (body: () => void): Promise<void> => {
    await probes.handleTestEvent({name: 'hook_start'}, state);
    body();
    await probes.handleTestEvent({name: 'hook_success'}, state);
  };
  return {global, sandboxProcess, realProcess, probes, state, run, hook, testFindings, fileFindings, deltas};
}

describe('FileProbes', () => {
  test('state findings go to the test that caused them; severity error fails that test', async () => {
    const h = harness({severity: {env: 'error'}, memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('clean', () => undefined);
    const polluter = await h.run('pollutes', () => {
      h.global.leaked = 1;
      h.global.myEnvOption = 2; // a testEnvironmentOptions key: allowed
      h.sandboxProcess.env.B = '2';
    });
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    await h.probes.afterTeardown();
    expect([...h.testFindings.keys()]).toEqual(['suite › pollutes']);
    expect(h.testFindings.get('suite › pollutes')!.map(f => `${f.kind}:${f.severity}`)).toEqual(['global:warn', 'env:error']);
    expect(polluter.errors).toHaveLength(1);
    expect(String((polluter.errors[0] as Error).message)).toContain('B was added in process.env by this test');
    expect(h.fileFindings).toEqual([]);
    expect(h.probes.memoryRecord()).toBeUndefined();
    expect(h.probes.allWarnings()).toEqual([]);
  });

  test('watchState and trackResource used from the sandbox reach the probes', async () => {
    const h = harness({memory: false});
    const registry = {users: [] as string[]};
    watchState('registry', () => registry, h.global);
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('adds a user', () => {
      registry.users.push('ann');
    });
    await h.run('forgets a connection', () => {
      (function open() {
        trackResource({close() {}}, {kind: 'Conn'}, h.global);
      })();
    });
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    await h.probes.afterTeardown();
    expect(h.testFindings.get('suite › adds a user')!.map(f => f.kind)).toEqual(['state']);
    const unclosed = h.testFindings.get('suite › forgets a connection')!;
    expect(unclosed.map(f => [f.kind, f.resourceType, f.scope])).toEqual([['unclosed-gc', 'Conn', 'test']]);
    expect(unclosed[0]!.stack[0]).toMatch(/^open \(/);
  });

  test('memory: file record and per-test deltas', async () => {
    // exactBaseline: a full GC at run_start whatever the worker's GC share (this shared process
    // has garbage of its own), so the file's growth is exact.
    const h = harness({memory: {perTest: true, exactBaseline: true, testGrowthThresholdBytes: 4 * 1024 * 1024}, state: false});
    const keep: number[][] = [];
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('retains 16 MiB', () => {
      for (let i = 0; i < 256; i++) keep.push(Array.from({length: 8192}, (_, j) => i + j + 0.5));
    });
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    await h.probes.afterTeardown();
    // Real heap in a shared process: a few MiB elsewhere can be freed meanwhile; far above the 4 MiB threshold.
    expect(h.deltas.get('suite › retains 16 MiB')).toBeGreaterThan(10 * 1024 * 1024);
    expect(h.testFindings.get('suite › retains 16 MiB')!.map(f => f.kind)).toEqual(['memory']);
    const record = h.probes.memoryRecord()!;
    // One full GC at run_start can leave a few MiB for the next cycle: the baseline errs high.
    expect(record.growthBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(record.samples!.map(s => s.label)[0]).toBe('run_start (after full GC)');
    expect(keep).toHaveLength(256);
  });
});

describe('FileProbes: state snapshot reuse between tests', () => {
  const fileFindingKeys = (findings: Finding[]) => findings.map(f => [f.kind, f.scope, f.details.key]);

  test('back-to-back tests take one snapshot each: the next start is the previous end', async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    await h.run('two', () => {
      h.global.fromTwo = 1;
    });
    await h.run('three', () => undefined);
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    // run_start, test one's start, three test ends, run_finish.
    expect(h.realProcess.cwd).toHaveBeenCalledTimes(6);
    expect([...h.testFindings.keys()]).toEqual(['suite › two']);
    expect(h.fileFindings).toEqual([]);
  });

  test("a change made after the event loop turned between tests is not the next test's", async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    // A timer of test one firing while the environment settles, before test two starts.
    await new Promise(resolve => setTimeout(resolve, 0));
    h.global.betweenTests = 1;
    await h.run('two', () => undefined);
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    expect([...h.testFindings.keys()]).toEqual([]);
    expect(fileFindingKeys(h.fileFindings)).toEqual([['global', 'file', 'betweenTests']]);
  });

  test('one queued tick ends the reuse for every test armed before it ran, and a later end queues the next', async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    await h.run('two', () => undefined); // same microtask drain: starts from one's end
    await new Promise(resolve => setTimeout(resolve, 0));
    h.global.betweenTwoAndThree = 1;
    await h.run('three', () => undefined);
    await new Promise(resolve => setTimeout(resolve, 0));
    h.global.betweenThreeAndFour = 1;
    await h.run('four', () => undefined);
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    // run_start, one's start, four ends, three and four start fresh, run_finish.
    expect(h.realProcess.cwd).toHaveBeenCalledTimes(9);
    expect([...h.testFindings.keys()]).toEqual([]);
    expect(fileFindingKeys(h.fileFindings)).toEqual([
      ['global', 'file', 'betweenTwoAndThree'],
      ['global', 'file', 'betweenThreeAndFour'],
    ]);
  });

  test('with the vm context, the first test starts from the file-start reading unless a hook ran first', async () => {
    const h = harness({memory: false}, {withContext: true});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.probes.handleTestEvent({name: 'run_describe_start'}, h.state);
    await h.run('one', () => {
      h.global.fromOne = 1;
    });
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    // run_start, one's end, run_finish: one started from run_start's reading.
    expect(h.realProcess.cwd).toHaveBeenCalledTimes(3);
    expect([...h.testFindings.keys()]).toEqual(['suite › one']);

    const withHook = harness({memory: false}, {withContext: true});
    await withHook.probes.handleTestEvent({name: 'run_start'}, withHook.state);
    await withHook.hook(() => {
      withHook.global.fromBeforeAll = 1;
    });
    await withHook.run('one', () => undefined);
    await withHook.probes.handleTestEvent({name: 'run_finish'}, withHook.state);
    expect([...withHook.testFindings.keys()]).toEqual([]);
    expect(fileFindingKeys(withHook.fileFindings)).toEqual([['global', 'file', 'fromBeforeAll']]);
  });

  test('a describe boundary between tests keeps the reuse: it runs no user code', async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    await h.probes.handleTestEvent({name: 'run_describe_finish'}, h.state);
    await h.probes.handleTestEvent({name: 'run_describe_start'}, h.state);
    await h.run('two', () => {
      h.global.fromTwo = 1;
    });
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    // run_start, one's start, two test ends, run_finish: two started from one's end.
    expect(h.realProcess.cwd).toHaveBeenCalledTimes(5);
    expect([...h.testFindings.keys()]).toEqual(['suite › two']);
  });

  test("a hook between tests (beforeAll/afterAll at a describe boundary) is not the next test's", async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    // Same microtask drain, but circus ran an afterAll/beforeAll in between.
    await h.hook(() => {
      h.global.fromHook = 1;
    });
    await h.run('two', () => undefined);
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    expect([...h.testFindings.keys()]).toEqual([]);
    expect(fileFindingKeys(h.fileFindings)).toEqual([['global', 'file', 'fromHook']]);
  });

  test('a skipped or concurrent test in between also ends the reuse', async () => {
    const h = harness({memory: false});
    await h.probes.handleTestEvent({name: 'run_start'}, h.state);
    await h.run('one', () => undefined);
    const concurrent: ProbeTest = {name: 'concurrent', concurrent: true, errors: []};
    await h.probes.handleTestEvent({name: 'test_start', test: concurrent}, h.state);
    h.global.fromConcurrent = 1;
    await h.probes.handleTestEvent({name: 'test_done', test: concurrent}, h.state);
    await h.run('two', () => undefined);
    await h.probes.handleTestEvent({name: 'test_skip'}, h.state);
    h.global.afterSkip = 1;
    await h.run('three', () => undefined);
    await h.probes.handleTestEvent({name: 'run_finish'}, h.state);
    expect([...h.testFindings.keys()]).toEqual([]);
    expect(fileFindingKeys(h.fileFindings)).toEqual([
      ['global', 'file', 'fromConcurrent'],
      ['global', 'file', 'afterSkip'],
    ]);
  });
});

describe('FileProbes: FileHandle closed on GC', () => {
  test("Node's warning is attributed to the opener the tracker recorded", async () => {
    const global = vm.runInContext('this', vm.createContext({})) as object;
    const realProcess = Object.assign(new EventEmitter(), {env: {} as Record<string, string | undefined>, cwd: () => '/root'});
    const fileFindings: Finding[] = [];
    const testFindings: Array<[string[], Finding]> = [];
    const tracker = {
      records: () => [
        {
          type: 'fs.promises.open',
          stack: {stack: 'Error\n    at openConfig (/root/src/config.test.js:4:20)\n    at /root/node_modules/x/y.js:1:1'},
          owner: {scope: 'test' as const, scopePath: ['reads config'] as readonly string[]},
          details: () => ({fd: 21, path: '/root/config.json'}),
        },
      ],
    };
    const probes = new FileProbes(
      {global, realProcess, testPath: '/root/src/config.test.js', rootDir: '/root', options: resolveOptions({memory: false, state: false}), tracker},
      {addTestFinding: (p, f) => testFindings.push([p, f]), addFileFinding: f => fileFindings.push(f), setTestMemoryDelta: () => undefined},
    );
    const test: ProbeTest = {name: 'reads config', parent: {name: 'ROOT_DESCRIBE_BLOCK'}, errors: []};
    const state = {unhandledErrors: [] as unknown[]};
    await probes.handleTestEvent({name: 'test_start', test}, state);
    await probes.handleTestEvent({name: 'test_done', test}, state);
    realProcess.emit('warning', new Error('Closing file descriptor 21 on garbage collection'));
    await probes.handleTestEvent({name: 'run_finish'}, state);
    expect(testFindings.map(([p, f]) => [p, f.kind, f.resourceType, f.location, f.stack])).toEqual([
      [['reads config'], 'unclosed-gc', 'FileHandle', {file: 'src/config.test.js', line: 4, column: 20}, ['openConfig (src/config.test.js:4:20)']],
    ]);
    expect(testFindings[0]![1].message).toBe('FileHandle (fd 21) created at src/config.test.js:4 was garbage-collected without being closed');
    expect(testFindings[0]![1].details).toMatchObject({fd: 21, path: '/root/config.json'});
    await probes.afterTeardown();
  });
});
