const {leakMatchers, expectNoLeak, MemoryLeakError} = require('@leakwatch/core');

expect.extend(leakMatchers);
jest.setTimeout(60000);

test('clean code passes expect(fn).not.toLeakMemory()', async () => {
  await expect(() => {
    const temp = Array.from({length: 50}, (_, i) => ({i}));
    return temp.length;
  }).not.toLeakMemory();
});

test('a leak of ~40 B per call is detected', async () => {
  const sink = [];
  let n = 0;
  const error = await expectNoLeak(() => {
    sink.push({n: n++});
  }).catch(e => e);
  expect(error).toBeInstanceOf(MemoryLeakError);
  expect(error.verdict.bytesPerIteration).toBeGreaterThan(16);
  expect(error.message).toMatch(/B\/iteration .*Mann–Kendall z = /);
});
