// Leaks one worker from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const {Worker} = require('node:worker_threads');
const {once} = require('node:events');

new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.module

beforeAll(() => {
  new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.root-beforeAll
});

afterAll(() => {
  new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.describe-beforeAll
  });

  afterAll(() => {
    new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.after-await
});

test('does not leak', () => {});

test('leaks a worker that has come online', async () => {
  const worker = new Worker('setInterval(() => {}, 1000)', {eval: true}); // LEAK:worker.online
  await once(worker, 'online');
});
