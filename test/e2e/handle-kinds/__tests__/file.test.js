// Leaks one file from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {once} = require('node:events');

fs.openSync(__filename, 'r'); // LEAK:file.module

beforeAll(() => {
  fs.openSync(__filename, 'r'); // LEAK:file.root-beforeAll
});

afterAll(() => {
  fs.openSync(__filename, 'r'); // LEAK:file.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    fs.openSync(__filename, 'r'); // LEAK:file.describe-beforeAll
  });

  afterAll(() => {
    fs.openSync(__filename, 'r'); // LEAK:file.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    fs.openSync(__filename, 'r'); // LEAK:file.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    fs.openSync(__filename, 'r'); // LEAK:file.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  fs.openSync(__filename, 'r'); // LEAK:file.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  fs.openSync(__filename, 'r'); // LEAK:file.after-await
});

test('does not leak', () => {});

test('leaks an fd from fs.open with a callback', async () => {
  await new Promise((resolve, reject) =>
    fs.open(__filename, 'r', (error, fd) => (error ? reject(error) : resolve(fd))), // LEAK:file.open-callback
  );
});

// Held, as a test's context object would hold it: a FileHandle nobody references is
// closed by the garbage collector at an unpredictable moment.
const handles = [];

test('leaks a FileHandle from fs.promises.open', async () => {
  handles.push(await fs.promises.open(__filename, 'r')); // LEAK:file.promises-open
});

test('leaks an unconsumed read stream', async () => {
  const stream = fs.createReadStream(__filename); // LEAK:file.read-stream
  await once(stream, 'open');
});

test('leaks a write stream that is never ended', async () => {
  const target = path.join(os.tmpdir(), `leakwatch-e2e-${process.pid}-${Date.now()}.txt`);
  const stream = fs.createWriteStream(target); // LEAK:file.write-stream
  await once(stream, 'open');
});

// readFileSync's own openSync arguments: Leakwatch takes no stack for these (Jest reads every
// module that way), so the finding has the path and the test, but no creating line.
test('leaks an fd opened with the arguments readFileSync uses', () => {
  fs.openSync(__filename, 'r', 0o666);
});
