// Project options: ignore rules by resource type, stack glob, stack regex and top function.
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const {spawn} = require('node:child_process');
const {openPool} = require('../vendor/pool');

function makePoolConnection() {
  return net.createServer().listen(0); // LEAK:ignore.stack-regex
}

function startDaemon() {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:ignore.top-function
}

test('a UDP socket is ignored by resource type', () => {
  dgram.createSocket('udp4').bind(0); // LEAK:ignore.resource-type
});

test('a server made inside vendor/ is ignored by a stack glob', () => {
  openPool();
});

test('a server made by makePoolConnection is ignored by a stack regex', () => {
  makePoolConnection();
});

test('a child process started by startDaemon is ignored by top function', () => {
  startDaemon();
});

test('a leak no rule matches is still reported', () => {
  fs.openSync(__filename, 'r'); // LEAK:ignore.not-ignored
});
