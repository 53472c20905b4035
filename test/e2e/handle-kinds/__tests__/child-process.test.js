// Leaks one child-process from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const {spawn} = require('node:child_process');

spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.module

beforeAll(() => {
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.root-beforeAll
});

afterAll(() => {
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.describe-beforeAll
  });

  afterAll(() => {
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'}); // LEAK:child-process.after-await
});

test('does not leak', () => {});

test('leaks a child process with piped stdio', () => {
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']); // LEAK:child-process.piped
});
