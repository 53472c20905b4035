// Look-alikes of state-pollution.test.js that put everything back: no findings.
const os = require('os');

describe('restored in afterEach', () => {
  afterEach(() => {
    delete globalThis.tempGlobal;
    delete process.env.TEMP_FLAG;
  });
  test('adds a global, removed by afterEach', () => {
    globalThis.tempGlobal = 1;
  });
  test('sets an env var, deleted by afterEach', () => {
    process.env.TEMP_FLAG = '1';
  });
});

test('overwrites a global and puts it back', () => {
  const original = globalThis.structuredClone;
  globalThis.structuredClone = v => v;
  globalThis.structuredClone = original;
});

test('changes the cwd and restores it', () => {
  const cwd = process.cwd();
  try {
    process.chdir(os.tmpdir());
  } finally {
    process.chdir(cwd);
  }
});

test('adds and removes a process listener', () => {
  const onUsr2 = () => undefined;
  process.on('SIGUSR2', onUsr2);
  process.off('SIGUSR2', onUsr2);
});

test('uses fake timers and restores them', () => {
  jest.useFakeTimers();
  setTimeout(() => undefined, 1000);
  jest.runAllTimers();
  jest.useRealTimers();
});

test('spies on a global and restores it', () => {
  const spy = jest.spyOn(globalThis, 'setImmediate');
  spy.mockRestore();
});

test('changes a testEnvironmentOptions global (allowed)', () => {
  globalThis.appConfig = {retries: 3};
});

test('reads Node globals (lazy getters are not changes)', () => {
  expect(typeof URL).toBe('function');
  expect(typeof TextEncoder).toBe('function');
  expect(typeof AbortController).toBe('function');
});
