import {expectNoLeak, leakMatchers, measureLeak, MemoryLeakError} from '../memory/expectNoLeak';
import {mannKendall, normalCdf, olsSlope, theilSenSlope} from '../memory/stats';

expect.extend(leakMatchers);
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toLeakMemory(options?: import('../memory/expectNoLeak').LeakCheckOptions): Promise<R>;
    }
  }
}

describe('trend statistics', () => {
  test('Theil–Sen ignores an outlier that bends OLS', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const ys = xs.map(x => 100 + 40 * x);
    ys[4] = 5000;
    expect(theilSenSlope(xs, ys)).toBe(40);
    expect(olsSlope(xs, ys).slope).not.toBeCloseTo(40, 0);
  });

  test('Mann–Kendall: strictly increasing is significant, constant and alternating are not', () => {
    expect(mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]).z).toBeGreaterThan(4);
    expect(mannKendall([5, 5, 5, 5, 5, 5]).z).toBe(0);
    expect(Math.abs(mannKendall([1, 3, 1, 3, 1, 3, 1, 3, 1, 3]).z)).toBeLessThan(1);
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(2.58)).toBeCloseTo(0.99506, 4);
  });
});

describe('measureLeak (scripted heap)', () => {
  test('a scripted 40 B/iteration growth with noise is a significant leak', async () => {
    let heap = 10_000_000;
    let runs = 0;
    let reads = 0;
    const verdict = await measureLeak(() => {
      runs++;
      heap += 40;
    }, {iterations: 280, samples: 15, warmup: 0, gc: () => undefined, sample: () => heap + (reads++ % 3) * 300});
    expect(runs).toBe(300); // one discarded batch after warm-up
    expect(verdict).toMatchObject({leaking: true, significant: true, iterations: 280, iterationsPerSample: 20});
    expect(verdict.bytesPerIteration).toBeGreaterThan(30);
    expect(verdict.bytesPerIteration).toBeLessThan(50);
  });
});

// Each sample costs three full GCs of this worker's heap (ts-jest loads TypeScript: ~50 ms each).
jest.setTimeout(60_000);

describe('measureLeak / expectNoLeak / toLeakMemory (real heap)', () => {
  test('detects a ~40 B/iteration leak as significant and fails', async () => {
    const sink: Array<{i: number}> = [];
    let i = 0;
    const leak = () => {
      sink.push({i: i++});
    };
    const verdict = await measureLeak(leak, {iterations: 3000, samples: 15});
    expect(verdict.significant).toBe(true);
    expect(verdict.z).toBeGreaterThan(2.58);
    expect(verdict.bytesPerIteration).toBeGreaterThan(32);
    expect(verdict.bytesPerIteration).toBeLessThan(80);
    expect(verdict.leaking).toBe(true);
  });

  test('expectNoLeak throws MemoryLeakError with the verdict', async () => {
    let heap = 0;
    const error = await expectNoLeak(() => {
      heap += 100;
    }, {gc: () => undefined, sample: () => heap}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryLeakError);
    expect((error as MemoryLeakError).verdict.bytesPerIteration).toBe(100);
    expect((error as MemoryLeakError).message).toMatch(/grew 100\.0 B\/iteration .*Mann–Kendall z = \d/);
  });

  test('passes clean code that allocates and releases (sync and async)', async () => {
    const verdict = await expectNoLeak(() => {
      const temp = Array.from({length: 100}, (_, k) => ({k, s: `item ${k}`}));
      return temp.length;
    }, {iterations: 3000});
    expect(verdict.leaking).toBe(false);
    await expect(async () => {
      await new Promise(resolve => setImmediate(resolve));
      return new Map([[1, {}]]).size;
    }).not.toLeakMemory();
  });

  test('the matcher fails with bytes/iteration and significance for a leak', async () => {
    const sink: string[] = [];
    let n = 0;
    const leak = () => {
      sink.push(`leaked string number ${n++} `.repeat(8));
    };
    await expect(expect(leak).not.toLeakMemory({iterations: 1500})).rejects.toThrow(
      /expected the function not to leak memory, but heap after GC grew \d+\.\d B\/iteration .*z = \d/,
    );
  });

  test('rejects bad input', async () => {
    await expect(measureLeak(5 as never)).rejects.toThrow('needs a function');
    await expect(measureLeak(() => 1, {samples: 2})).rejects.toThrow('"samples" must be an integer ≥ 4');
  });
});
