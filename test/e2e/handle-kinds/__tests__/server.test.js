// Leaks one server from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const net = require('node:net');
const http = require('node:http');

net.createServer().listen(0); // LEAK:server.module

beforeAll(() => {
  net.createServer().listen(0); // LEAK:server.root-beforeAll
});

afterAll(() => {
  net.createServer().listen(0); // LEAK:server.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    net.createServer().listen(0); // LEAK:server.describe-beforeAll
  });

  afterAll(() => {
    net.createServer().listen(0); // LEAK:server.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    net.createServer().listen(0); // LEAK:server.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    net.createServer().listen(0); // LEAK:server.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  net.createServer().listen(0); // LEAK:server.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  net.createServer().listen(0); // LEAK:server.after-await
});

test('does not leak', () => {});

test('leaks an http server', () => {
  http.createServer((req, res) => res.end()).listen(0); // LEAK:server.http
});
