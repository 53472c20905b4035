// Look-alikes: timers that are cleared, fire, are unref'd or are fake. Nothing here may be reported.
test('cleared timers', () => {
  clearTimeout(setTimeout(() => {}, 60_000));
  clearInterval(setInterval(() => {}, 60_000));
  clearImmediate(setImmediate(() => {}));
});

test('timers that fire before the test ends', async () => {
  await new Promise(resolve => setTimeout(resolve, 10));
  await new Promise(resolve => setImmediate(resolve));
});

test('an interval that clears itself', async () => {
  await new Promise(resolve => {
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
      if (ticks === 3) {
        clearInterval(interval);
        resolve();
      }
    }, 1);
  });
});

test('unref\'d timers', () => {
  setInterval(() => {}, 60_000).unref();
  setTimeout(() => {}, 60_000).unref();
});

describe('modern fake timers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('pending fake timers are not real handles', () => {
    setInterval(() => {}, 1000);
    setTimeout(() => {}, 60_000);
    jest.advanceTimersByTime(5000);
  });
});

describe('modern fake timers that advance on their own', () => {
  beforeEach(() => jest.useFakeTimers({advanceTimers: true}));
  afterEach(() => jest.useRealTimers());

  test('pending fake timers are not real handles', async () => {
    setInterval(() => {}, 1000);
    await new Promise(resolve => setTimeout(resolve, 20));
  });
});

describe('legacy fake timers', () => {
  beforeEach(() => jest.useFakeTimers({legacyFakeTimers: true}));
  afterEach(() => jest.useRealTimers());

  test('pending fake timers are not real handles', () => {
    setInterval(() => {}, 1000);
    setTimeout(() => {}, 60_000);
    jest.advanceTimersByTime(5000);
  });
});
