// Look-alikes: child processes, workers and UDP sockets that end before their test does. Nothing here may be reported.
const dgram = require('node:dgram');
const {execFile, spawn} = require('node:child_process');
const {once} = require('node:events');
const {promisify} = require('node:util');
const {Worker} = require('node:worker_threads');

test('child process that exits on its own', async () => {
  const child = spawn(process.execPath, ['-e', 'process.exit(0)']);
  await once(child, 'close');
});

test('child process killed and awaited', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  child.kill();
  await once(child, 'close');
});

test('execFile', async () => {
  const {stdout} = await promisify(execFile)(process.execPath, ['-e', 'console.log(42)']);
  expect(stdout.trim()).toBe('42');
});

test('worker terminated', async () => {
  const worker = new Worker('setInterval(() => {}, 1000)', {eval: true});
  await once(worker, 'online');
  await worker.terminate();
});

test('worker that finishes', async () => {
  const worker = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', {eval: true});
  // Listen for 'exit' first: when the thread ends before its message was read, Node emits
  // 'message' and then 'exit' in one callback, before an await on 'message' resumes.
  const exited = once(worker, 'exit');
  const [answer] = await once(worker, 'message');
  expect(answer).toBe(42);
  await exited;
});

test('UDP socket closed', async () => {
  const socket = dgram.createSocket('udp4');
  await new Promise(resolve => socket.bind(0, '127.0.0.1', resolve));
  await new Promise(resolve => socket.close(resolve));
});

test('unref\'d worker is not a leak', async () => {
  const worker = new Worker('setTimeout(() => {}, 2000)', {eval: true});
  await once(worker, 'online');
  worker.unref();
});
