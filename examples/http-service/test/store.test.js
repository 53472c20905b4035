// Clean look-alikes: fake timers and an unref'd timer are not leaks.
const {UserStore} = require('../src/userStore');

test('the sweeper runs every second (fake timers)', () => {
  jest.useFakeTimers();
  const store = new UserStore({ttlMs: 0}).start();
  const sweep = jest.spyOn(store, 'sweep');
  jest.advanceTimersByTime(3_000);
  expect(sweep).toHaveBeenCalledTimes(3);
  jest.useRealTimers();
});

test("a background refresh that does not hold the process open (unref'd)", async () => {
  const refresh = setInterval(() => {}, 5_000).unref();
  expect(refresh.hasRef()).toBe(false);
});
