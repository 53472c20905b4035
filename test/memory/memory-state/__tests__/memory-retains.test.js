// Keeps ~48 MiB in a module-level cache: the file's heap grows and stays grown.
const cache = [];

test('fills a module-level cache with ~48 MiB', () => {
  for (let i = 0; i < 48 * 16; i++) cache.push(Array.from({length: 8192}, (_, j) => i + j + 0.5)); // 64 KiB each
  expect(cache).toHaveLength(768);
});
