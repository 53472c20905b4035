// test.concurrent: on Jest 30 a leak is attributed to its concurrent test; on Jest 29 the
// environment documents a fallback to file scope (circus starts concurrent tests early).
test.concurrent('concurrent test that leaks', async () => {
  await new Promise(resolve => setTimeout(resolve, 20));
  setInterval(() => {}, 60_000); // LEAK:concurrent.leaks
});

test.concurrent('concurrent test that cleans up', async () => {
  const interval = setInterval(() => {}, 5);
  await new Promise(resolve => setTimeout(resolve, 40));
  clearInterval(interval);
});

test('a serial test after them', () => {});
