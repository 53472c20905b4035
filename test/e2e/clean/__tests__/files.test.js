// Look-alikes: files, streams and watchers that are closed or consumed. Nothing here may be reported.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {once} = require('node:events');
const {pipeline} = require('node:stream/promises');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-clean-'));
afterAll(() => fs.rmSync(scratch, {recursive: true, force: true}));

test('openSync then closeSync', () => {
  fs.closeSync(fs.openSync(__filename, 'r'));
});

test('fs.open then fs.close with callbacks', async () => {
  const fd = await new Promise((resolve, reject) => fs.open(__filename, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
  await new Promise(resolve => fs.close(fd, resolve));
});

test('FileHandle read and closed', async () => {
  const handle = await fs.promises.open(__filename, 'r');
  await handle.readFile('utf8');
  await handle.close();
});

test('read stream consumed to the end', async () => {
  let length = 0;
  for await (const chunk of fs.createReadStream(__filename)) length += chunk.length;
  expect(length).toBeGreaterThan(0);
});

test('read stream piped into a write stream', async () => {
  await pipeline(fs.createReadStream(__filename), fs.createWriteStream(path.join(scratch, 'copy.js')));
});

test('write stream ended', async () => {
  const stream = fs.createWriteStream(path.join(scratch, 'out.txt'));
  stream.end('done');
  await once(stream, 'close');
});

test('read stream destroyed after opening', async () => {
  const stream = fs.createReadStream(__filename);
  await once(stream, 'open');
  stream.destroy();
  await once(stream, 'close');
});

test('readFile, writeFile and friends', async () => {
  await fs.promises.writeFile(path.join(scratch, 'a.txt'), 'a');
  expect(await fs.promises.readFile(path.join(scratch, 'a.txt'), 'utf8')).toBe('a');
  expect(fs.readFileSync(__filename, 'utf8')).toContain('readFile');
  await new Promise(resolve => fs.stat(__filename, resolve));
});

test('fs.watch closed', () => {
  fs.watch(scratch).close();
});

test('fs.watchFile undone with unwatchFile', () => {
  const listener = () => {};
  fs.watchFile(__filename, listener);
  fs.unwatchFile(__filename, listener);
});
