// Leaks one watcher from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const fs = require('node:fs');

fs.watch(__dirname); // LEAK:watcher.module

beforeAll(() => {
  fs.watch(__dirname); // LEAK:watcher.root-beforeAll
});

afterAll(() => {
  fs.watch(__dirname); // LEAK:watcher.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    fs.watch(__dirname); // LEAK:watcher.describe-beforeAll
  });

  afterAll(() => {
    fs.watch(__dirname); // LEAK:watcher.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    fs.watch(__dirname); // LEAK:watcher.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    fs.watch(__dirname); // LEAK:watcher.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  fs.watch(__dirname); // LEAK:watcher.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  fs.watch(__dirname); // LEAK:watcher.after-await
});

test('does not leak', () => {});

test('leaks an fs.watchFile stat watcher', () => {
  fs.watchFile(__filename, () => {}); // LEAK:watcher.watchFile
});
