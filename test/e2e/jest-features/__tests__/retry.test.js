// jest.retryTimes: a leak fails an attempt, and the test is retried.
jest.retryTimes(2);

let attempts = 0;

test('leaks only on its first attempt', () => {
  attempts += 1;
  if (attempts === 1) {
    setInterval(() => {}, 60_000); // LEAK:retry.first-attempt
  }
});

test('leaks on every attempt', () => {
  setInterval(() => {}, 60_000); // LEAK:retry.every-attempt
});

test('never leaks', () => {});
