// Allocates 64 MiB (heap and Buffers) and lets it go: no memory finding.
test('allocates 64 MiB of arrays and releases them', () => {
  let big = [];
  for (let i = 0; i < 64 * 16; i++) big.push(Array.from({length: 8192}, (_, j) => i + j + 0.5));
  expect(big).toHaveLength(1024);
  big = null;
});

test('allocates 64 MiB of Buffers and releases them', () => {
  let buffers = Array.from({length: 64}, () => Buffer.alloc(1024 * 1024, 7));
  expect(buffers).toHaveLength(64);
  buffers = null;
});
