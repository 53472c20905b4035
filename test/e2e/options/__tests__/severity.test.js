// Project options: severity {timer: 'warn', watcher: 'off'}.
const fs = require('node:fs');
const net = require('node:net');

test('a timer leak is only a warning', () => {
  setInterval(() => {}, 60_000); // LEAK:severity.timer-warn
});

test('watchers are not looked at', () => {
  fs.watch(__dirname); // LEAK:severity.watcher-off
});

test('a server leak is still an error', () => {
  net.createServer().listen(0); // LEAK:severity.server-error
});
