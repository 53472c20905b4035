/** @leakwatch {"memory": {"perTest": true, "testGrowthThresholdBytes": 8388608}} */
const cache = [];

test('retains 16 MiB', () => {
  for (let i = 0; i < 16 * 16; i++) cache.push(Array.from({length: 8192}, (_, j) => i + j + 0.5));
  expect(cache).toHaveLength(256);
});

test('allocates 32 MiB temporarily', () => {
  let temp = [];
  for (let i = 0; i < 32 * 16; i++) temp.push(Array.from({length: 8192}, (_, j) => i + j + 0.5));
  expect(temp).toHaveLength(512);
  temp = null;
});
