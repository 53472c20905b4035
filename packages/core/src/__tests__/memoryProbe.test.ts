import {MemoryProbe, MiB, type WorkerMemoryState} from '../memory/MemoryProbe';
import * as vm from 'node:vm';
import {collectUntilStable, getGc, readHeapBytes} from '../memory/gc';

/**
 * A scripted heap: `live` is what a full GC leaves, `garbage` what only a full GC frees,
 * `young` young-generation garbage, `youngLive` live young objects (any GC promotes them).
 */
function scriptedHeap() {
  const heap = {live: 100 * MiB, garbage: 0, young: 0, youngLive: 0, majors: 0, minors: 0};
  const gc = (type?: 'major' | 'minor') => {
    heap.live += heap.youngLive;
    heap.youngLive = 0;
    if (type === 'minor') {
      heap.minors++;
      heap.young = 0;
    } else {
      heap.majors++;
      heap.young = 0;
      heap.garbage = 0;
    }
  };
  const sample = () => heap.live + heap.garbage + heap.young + heap.youngLive;
  const majors = {during: 0};
  const deps = {
    gc,
    sample,
    sampleOld: () => heap.live + heap.garbage,
    turn: async () => undefined,
    now: () => 0,
    summarize: () => new Map(),
    // A worker that has run for a minute: the 2% share leaves room for start GCs (own test below).
    worker: {firstFileAt: -60_000} as WorkerMemoryState,
    majorGcs: () => {
      const at = heap.majors;
      // V8's own major GCs (majors.during) plus none of ours: the probe stops it before forcing any.
      return {stop: () => heap.majors - at + majors.during};
    },
  };
  return {heap, majors, deps};
}

/**
 * A file that starts over `garbageMiB` of garbage, too little to trigger a start GC (the
 * worker's last reading is the live heap): its baseline is an upper bound, live + garbage.
 * `young` / `youngLive`: the young generation's garbage and live objects at start, in MiB.
 */
async function startOverGarbage(garbageMiB: number, {young = 0, youngLive = 0} = {}) {
  const scripted = scriptedHeap();
  scripted.deps.worker.lastLiveBytes = scripted.heap.live;
  scripted.heap.garbage = garbageMiB * MiB;
  scripted.heap.young = young * MiB;
  scripted.heap.youngLive = youngLive * MiB;
  const probe = new MemoryProbe({}, scripted.deps);
  await probe.fileStart();
  return {...scripted, probe};
}

describe('MemoryProbe (scripted heap)', () => {
  test('a file that only produced garbage is screened clean with one full GC in total', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({}, deps);
    await probe.fileStart();
    heap.young = 200 * MiB; // allocate-and-release: young garbage
    heap.garbage = 10 * MiB; // some promoted garbage
    const end = await probe.fileEnd();
    expect(end).toEqual({beforeBytes: 100 * MiB, afterBytes: 110 * MiB, growthBytes: 10 * MiB, exact: false, baselineExact: true});
    expect(heap.majors).toBe(1);
    expect(probe.fileFindings('a.test.js', 'warn')).toEqual([]);
  });

  test('later files in the worker start without any GC, unless garbage piled up past the trigger', async () => {
    const {heap, deps} = scriptedHeap();
    await new MemoryProbe({}, deps).fileStart(); // first file: full GC, worker learns 100 MiB
    expect(heap.majors).toBe(1);
    heap.garbage = 3 * MiB;
    heap.young = 5 * MiB; // young garbage: left out of the baseline without a scavenge
    const second = new MemoryProbe({}, deps);
    await second.fileStart();
    expect([heap.majors, heap.minors]).toEqual([1, 0]);
    expect(second.record()).toBeUndefined();
    heap.young = 1 * MiB;
    const end = await second.fileEnd();
    // A plain reading is already below the threshold: no GC at all.
    expect(end).toEqual({beforeBytes: 103 * MiB, afterBytes: 104 * MiB, growthBytes: 1 * MiB, exact: false, baselineExact: false});
    expect([heap.majors, heap.minors]).toEqual([1, 0]);
    expect(second.record()!.samples!).toEqual([
      {label: 'run_start (old generation, upper bound)', heapUsedBytes: 103 * MiB},
      {label: 'run_start (young generation included, upper bound)', heapUsedBytes: 108 * MiB},
      {label: 'run_finish (no GC, upper bound)', heapUsedBytes: 104 * MiB},
    ]);
    heap.garbage = 17 * MiB;
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(2);
    expect(deps.worker.lastLiveBytes).toBe(100 * MiB);
  });

  test('start-of-file full GCs take at most 2% of the worker time, the one about to run included; without one the baseline is only looser', async () => {
    const {heap, deps} = scriptedHeap();
    deps.worker = {}; // a worker whose first file starts now
    let clock = 0;
    deps.now = () => clock;
    const gcCostMs = 20;
    const gc = deps.gc;
    deps.gc = type => {
      if (type !== 'minor') clock += gcCostMs;
      gc(type);
    };
    heap.garbage = 2 * MiB;
    const first = new MemoryProbe({}, deps);
    await first.fileStart(); // no time spent yet: a GC (assumed 40 ms) would be all of it
    expect(heap.majors).toBe(0);
    expect(await first.fileEnd()).toMatchObject({baselineExact: false, exact: false});
    expect(heap.majors).toBe(0);
    clock = 1000; // 2% is 20 ms
    heap.garbage = 30 * MiB;
    const starved = new MemoryProbe({}, deps);
    await starved.fileStart();
    expect(heap.majors).toBe(0);
    heap.live += 48 * MiB; // a leak is still flagged, on the looser lower bound (48 - 30 garbage)
    expect(await starved.fileEnd()).toMatchObject({growthBytes: 18 * MiB, exact: true, baselineExact: false});
    expect(starved.fileFindings('a', 'warn')).toHaveLength(1);
    clock = 2000; // 2% is 40 ms: room for one (assumed 40 ms; this one takes 20)
    heap.garbage = 30 * MiB;
    let majorsBefore = heap.majors;
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(majorsBefore + 1);
    expect(deps.worker.lastLiveBytes).toBe(148 * MiB);
    clock = 2100; // 2% is 42 ms: the 20 spent and the next 20 fit…
    heap.garbage = 178 * MiB; // …but over 1.8× the old generation the next one is expected to take ~37
    majorsBefore = heap.majors;
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(majorsBefore);
    heap.garbage = 30 * MiB; // the same old generation as the last GC: 20 + 20 fit in 42
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(majorsBefore + 1);
    clock = 2500; // 2% is 50 ms: 40 spent, the next 20 do not fit
    heap.garbage = 30 * MiB;
    majorsBefore = heap.majors;
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(majorsBefore);
    clock = 3000; // 2% is 60 ms: room again
    await new MemoryProbe({}, deps).fileStart();
    expect(heap.majors).toBe(majorsBefore + 1);
  });

  test('with a scavenge baseline a leak is flagged on the lower bound; garbage at start only lowers it', async () => {
    const {heap, probe} = await startOverGarbage(3);
    heap.live += 48 * MiB;
    const end = await probe.fileEnd();
    expect(end).toMatchObject({beforeBytes: 103 * MiB, afterBytes: 148 * MiB, growthBytes: 45 * MiB, exact: true, baselineExact: false});
    const findings = probe.fileFindings('a.test.js', 'warn');
    expect(findings.map(f => f.resourceType)).toEqual(['heap']);
    expect(findings[0]!.message).toContain('Heap grew by at least 45.0 MiB');
  });

  test('with a scavenge baseline, a lower bound of half the threshold is flagged; allocate-and-release never', async () => {
    const {heap, deps} = scriptedHeap();
    deps.worker.lastLiveBytes = 100 * MiB;
    heap.garbage = 15 * MiB; // e.g. the previous file's sandbox, now garbage
    const leaky = new MemoryProbe({growthThresholdBytes: 24 * MiB}, deps);
    await leaky.fileStart();
    heap.live += 48 * MiB;
    expect(await leaky.fileEnd()).toMatchObject({growthBytes: 33 * MiB, exact: true, baselineExact: false});
    expect(leaky.fileFindings('a', 'warn')).toHaveLength(1);

    heap.live -= 48 * MiB;
    heap.garbage = 15 * MiB;
    const churn = new MemoryProbe({growthThresholdBytes: 24 * MiB}, deps);
    deps.worker.lastLiveBytes = 100 * MiB;
    await churn.fileStart();
    heap.garbage += 64 * MiB;
    expect(await churn.fileEnd()).toMatchObject({growthBytes: -15 * MiB, exact: true, baselineExact: false});
    expect(churn.fileFindings('a', 'warn')).toEqual([]);
  });

  test('live young objects at file start (just loaded and transformed modules) are not growth of the file', async () => {
    // ts-jest's compiler caches on Node 24: ~30 MiB still in the young generation at run_start.
    const {heap, majors, probe} = await startOverGarbage(3, {youngLive: 30, young: 4});
    expect(heap.majors + heap.minors).toBe(0);
    // They get promoted during the file, with 20 MiB that turn to garbage there, and V8 runs a
    // major GC: the end is measured with full GCs (130 MiB live). Counted from the old
    // generation at start (103 MiB) that read as 27 MiB of growth, a finding.
    heap.live += heap.youngLive;
    heap.youngLive = 0;
    heap.garbage += 20 * MiB;
    majors.during = 1;
    expect(await probe.fileEnd()).toMatchObject({beforeBytes: 137 * MiB, afterBytes: 130 * MiB, growthBytes: -7 * MiB, exact: true, baselineExact: false});
    expect(probe.fileFindings('a', 'warn')).toEqual([]);
  });

  test('young garbage at the end that crosses the screen, with as much at the start, needs no GC: none could flag the file', async () => {
    const {heap, probe} = await startOverGarbage(3, {young: 20});
    heap.live += 2 * MiB;
    heap.young = 28 * MiB;
    // 133 - 103 = 30 MiB crosses the screen; 133 - 123 = 10 MiB is under the bar a finding needs.
    expect(await probe.fileEnd()).toEqual({beforeBytes: 103 * MiB, afterBytes: 133 * MiB, growthBytes: 30 * MiB, exact: false, baselineExact: false});
    expect([heap.majors, heap.minors]).toEqual([0, 0]);
    expect(probe.fileFindings('a', 'warn')).toEqual([]);
  });

  test('with live young objects at start a leak is still flagged, counted from everything at start', async () => {
    const {heap, majors, probe} = await startOverGarbage(3, {youngLive: 10, young: 6});
    heap.live += heap.youngLive + 48 * MiB;
    heap.youngLive = 0;
    majors.during = 1;
    // 158 MiB live at the end, 119 MiB (old generation + young generation) at start.
    expect(await probe.fileEnd()).toMatchObject({beforeBytes: 119 * MiB, afterBytes: 158 * MiB, growthBytes: 39 * MiB, exact: true});
    expect(probe.fileFindings('a', 'warn').map(f => f.message)).toEqual([expect.stringContaining('Heap grew by at least 39.0 MiB')]);
  });

  test('after a major GC by V8, an upper-bound baseline screens at the lower-bound bar: above it the end is measured with full GCs', async () => {
    const {heap, majors, probe} = await startOverGarbage(3);
    heap.live += 20 * MiB;
    heap.garbage = 0; // V8 collected it: 120 - 103 = 17 MiB is no upper bound of the growth (20)
    majors.during = 1;
    const end = await probe.fileEnd();
    expect(end).toMatchObject({growthBytes: 17 * MiB, exact: true});
    expect(heap.majors).toBeGreaterThanOrEqual(2);
    // A lower bound of 17 MiB is over half the threshold: flagged, as without V8's GC.
    expect(probe.fileFindings('a', 'warn')).toHaveLength(1);
  });

  test('after a major GC by V8, a reading below the lower-bound bar needs no full GC: none could flag the file', async () => {
    const {heap, majors, deps, probe} = await startOverGarbage(3);
    heap.live += 5 * MiB;
    heap.garbage = 0;
    heap.young = 6 * MiB;
    majors.during = 1;
    const scavenges = heap.minors;
    // 111 - 103 = 8 MiB < 12 MiB: a full GC could only read less.
    expect(await probe.fileEnd()).toEqual({beforeBytes: 103 * MiB, afterBytes: 111 * MiB, growthBytes: 8 * MiB, exact: false, baselineExact: false});
    expect([heap.majors, heap.minors - scavenges]).toEqual([0, 0]);
    expect(probe.record()!.samples!.at(-1)!.label).toBe('run_finish (no GC, below the bar for a leak; V8 ran a full GC during the file)');
    expect(probe.fileFindings('a', 'warn')).toEqual([]);

    // Between half the threshold and the threshold a scavenge may still settle it...
    const second = new MemoryProbe({}, deps);
    deps.worker.lastLiveBytes = heap.live;
    heap.garbage = 3 * MiB;
    heap.young = 0;
    await second.fileStart();
    heap.garbage = 0;
    heap.young = 20 * MiB;
    expect(await second.fileEnd()).toMatchObject({growthBytes: -3 * MiB, exact: false});
    expect(heap.majors).toBe(0);
    expect(heap.minors - scavenges).toBe(1);
  });

  test('with an exact baseline a major GC by V8 changes nothing: the reading is still an upper bound', async () => {
    const {heap, majors, deps} = scriptedHeap();
    const probe = new MemoryProbe({}, deps);
    await probe.fileStart(); // no reading yet: a full GC makes the baseline exact
    expect(heap.majors).toBe(1);
    heap.live += 10 * MiB;
    heap.garbage = 8 * MiB;
    majors.during = 1;
    expect(await probe.fileEnd()).toEqual({beforeBytes: 100 * MiB, afterBytes: 118 * MiB, growthBytes: 18 * MiB, exact: false, baselineExact: true});
    expect(heap.majors).toBe(1);
  });

  test('garbage that crosses the screen is confirmed with two full GCs and not reported; growth is measured until stable', async () => {
    const {heap, deps} = scriptedHeap();
    const gc = deps.gc;
    let lingers = true;
    // Buffers a full GC found dead that still count until the next one (measured: ~40 of 64 MiB).
    let lingering = 0;
    deps.gc = type => {
      if (type !== 'minor') lingering = lingers && heap.majors > 0 ? heap.garbage / 4 : 0;
      gc(type);
    };
    deps.sample = () => heap.live + heap.garbage + heap.young + lingering;
    const probe = new MemoryProbe({}, deps);
    await probe.fileStart();
    heap.garbage = 64 * MiB;
    const end = await probe.fileEnd();
    // The start GC, then two: the first reads below the threshold but still counts some
    // garbage, which must not become the worker's live baseline; a third could only read less.
    expect(end).toMatchObject({growthBytes: 0, exact: true});
    expect(heap.majors).toBe(3);
    expect(deps.worker.lastLiveBytes).toBe(100 * MiB);
    expect(probe.fileFindings('a.test.js', 'warn')).toEqual([]);

    lingers = false;
    const leaky = new MemoryProbe({}, deps);
    heap.garbage = 20 * MiB;
    await leaky.fileStart(); // 20 MiB past the last reading: a start GC
    heap.live += 30 * MiB;
    heap.garbage = 10 * MiB;
    expect(await leaky.fileEnd()).toMatchObject({growthBytes: 30 * MiB, exact: true});
    expect(heap.majors).toBeGreaterThanOrEqual(6); // its start GC, then until two readings agree
  });

  test('real retention above the threshold becomes a memory finding, with retained-after-teardown', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({growthThresholdBytes: 32 * MiB, retainedThresholdBytes: 32 * MiB}, deps);
    await probe.fileStart();
    heap.live += 48 * MiB;
    await probe.fileEnd();
    await probe.afterTeardown();
    const findings = probe.fileFindings('a.test.js', 'warn');
    // Retained after teardown too, but that is the same memory: one finding.
    expect(findings.map(f => [f.kind, f.resourceType, f.severity, f.scope])).toEqual([['memory', 'heap', 'warn', 'file']]);
    expect(findings[0]!.message).toContain('Heap grew by 48.0 MiB');
    expect(probe.record()).toMatchObject({
      heapBeforeBytes: 100 * MiB,
      heapAfterBytes: 148 * MiB,
      growthBytes: 48 * MiB,
      retainedAfterTeardownBytes: 48 * MiB,
    });
    expect(probe.fileFindings('a.test.js', 'off')).toEqual([]);
  });

  test('memory that appears after the last test (afterAll, teardown) gets its own finding', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({}, deps);
    await probe.fileStart();
    await probe.fileEnd();
    heap.live += 40 * MiB;
    await probe.afterTeardown();
    expect(probe.fileFindings('a.test.js', 'warn').map(f => f.resourceType)).toEqual(['heap-after-teardown']);
    expect(probe.record()!.retainedAfterTeardownBytes).toBe(40 * MiB);
  });

  test('snapshotOnLeak: a leaking file gets the largest groups of an end snapshot; a clean file no snapshot', async () => {
    const {heap, deps} = scriptedHeap();
    let snapshots = 0;
    deps.summarize = () => {
      snapshots++;
      return new Map([['LeakyThing', {count: 3000, bytes: 40 * MiB}], ['(string)', {count: 10, bytes: MiB}]]);
    };
    const clean = new MemoryProbe({snapshotOnLeak: true}, deps);
    await clean.fileStart();
    await clean.fileEnd();
    expect(snapshots).toBe(0);
    const probe = new MemoryProbe({snapshotOnLeak: true, topN: 1, maxSnapshotHeapBytes: 1024 * MiB}, deps);
    await probe.fileStart();
    heap.live += 48 * MiB;
    await probe.fileEnd();
    expect(snapshots).toBe(1);
    expect(probe.record()!.topGrowth).toEqual([{constructor: 'LeakyThing', count: 3000, bytes: 40 * MiB}]);
    expect(probe.fileFindings('a', 'warn')[0]!.message).toContain('largest growth: LeakyThing ×3000 (40.0 MiB)');
  });

  test('memory released at teardown is not retained', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({}, deps);
    await probe.fileStart();
    heap.live += 48 * MiB;
    await probe.fileEnd();
    heap.live -= 60 * MiB; // the module registry went away
    await probe.afterTeardown();
    expect(probe.record()!.retainedAfterTeardownBytes).toBe(-12 * MiB);
    expect(probe.fileFindings('a.test.js', 'warn').map(f => f.resourceType)).toEqual(['heap']);
  });

  test('per test: delta and finding only when the exact growth crosses its threshold', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({perTest: true, testGrowthThresholdBytes: 8 * MiB}, deps);
    await probe.testStart();
    heap.young = 50 * MiB;
    const clean = await probe.testEnd();
    expect(clean).toMatchObject({growthBytes: 0, exact: false});
    expect(probe.testFinding('a.test.js', ['t'], clean!, 'warn')).toBeUndefined();
    await probe.testStart();
    heap.live += 10 * MiB;
    const leaky = await probe.testEnd();
    expect(leaky).toMatchObject({growthBytes: 10 * MiB, exact: true});
    expect(probe.testFinding('a.test.js', ['t'], leaky!, 'warn')).toMatchObject({kind: 'memory', scope: 'test', scopePath: ['t']});
  });

  test('perTest off and perFile off measure nothing', async () => {
    const {heap, deps} = scriptedHeap();
    const probe = new MemoryProbe({perFile: false}, deps);
    await probe.fileStart();
    await probe.testStart();
    expect(await probe.fileEnd()).toBeUndefined();
    expect(await probe.testEnd()).toBeUndefined();
    expect(heap.majors + heap.minors).toBe(0);
    expect(probe.record()).toBeUndefined();
  });
});

describe('MemoryProbe (real heap)', () => {
  const keep: unknown[] = [];
  afterEach(() => {
    keep.length = 0;
  });

  // ~`mib` MiB on the V8 heap (not Buffers): 64 KiB double arrays.
  function allocate(mib: number): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < mib * 16; i++) out.push(Array.from({length: 8192}, (_, j) => i + j + 0.5));
    return out;
  }

  // Exact baselines: these tests measure magnitudes, and the previous test's garbage would
  // otherwise (by design) lower the default mode's growth reading.
  test('retaining 48 MiB is flagged; allocating 64 MiB and releasing it is not', async () => {
    const leaky = new MemoryProbe({exactBaseline: true});
    await leaky.fileStart();
    keep.push(allocate(48));
    await leaky.fileEnd();
    const leakFindings = leaky.fileFindings('leaky.test.js', 'warn');
    expect(leakFindings.map(f => f.resourceType)).toEqual(['heap']);
    // The rest of the process (Jest, ts-jest, our own environment) frees a few MiB meanwhile:
    // assert the magnitude, well above the 24 MiB threshold, not the exact 48.
    expect(leaky.record()!.growthBytes).toBeGreaterThan(36 * MiB);
    keep.length = 0;

    const clean = new MemoryProbe({exactBaseline: true});
    await clean.fileStart();
    let temp: number[][] | undefined = allocate(64);
    expect(temp.length).toBe(64 * 16);
    temp = undefined;
    await clean.fileEnd();
    expect(clean.fileFindings('clean.test.js', 'warn')).toEqual([]);
    expect(clean.record()!.growthBytes).toBeLessThan(8 * MiB);
  });

  test('Buffers count too (external memory)', async () => {
    const probe = new MemoryProbe({growthThresholdBytes: 16 * MiB, exactBaseline: true});
    await probe.fileStart();
    keep.push(Array.from({length: 24}, () => Buffer.alloc(MiB, 1)));
    await probe.fileEnd();
    expect(probe.record()!.growthBytes).toBeGreaterThan(20 * MiB);
    expect(probe.fileFindings('buf.test.js', 'warn')).toHaveLength(1);
  });

  test('getGc works without --expose-gc and does not leak a gc global into new contexts', async () => {
    const gc = getGc();
    gc();
    gc('minor');
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
    const settled = await collectUntilStable(gc, readHeapBytes);
    expect(settled.gcCount).toBeGreaterThanOrEqual(2);
    expect(settled.bytes).toBeGreaterThan(0);
  });
});
