const os = require('os');

test('adds a global', () => {
  globalThis.leakedGlobal = {cached: true};
});

test('overwrites a global', () => {
  globalThis.structuredClone = function fakeClone(value) {
    return value;
  };
});

test('overwrites a built-in', () => {
  globalThis.escape = function fakeEscape(value) {
    return value;
  };
});

test('defines a non-enumerable global', () => {
  Object.defineProperty(globalThis, 'hiddenGlobal', {value: 42, enumerable: false, configurable: true, writable: true});
});

test('deletes a global', () => {
  delete globalThis.btoa;
});

test('sets an env var', () => {
  process.env.LEAKY_FLAG = 'on';
});

test('changes a secret env var', () => {
  process.env.DB_PASSWORD = 'hunter2';
});

test('changes the cwd', () => {
  process.chdir(os.tmpdir());
});

test('adds a process listener', () => {
  process.on('SIGUSR2', function onUsr2() {});
});
