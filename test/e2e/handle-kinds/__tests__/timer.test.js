// Leaks one timer from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.

setInterval(() => {}, 60_000); // LEAK:timer.module

beforeAll(() => {
  setInterval(() => {}, 60_000); // LEAK:timer.root-beforeAll
});

afterAll(() => {
  setInterval(() => {}, 60_000); // LEAK:timer.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    setInterval(() => {}, 60_000); // LEAK:timer.describe-beforeAll
  });

  afterAll(() => {
    setInterval(() => {}, 60_000); // LEAK:timer.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    setInterval(() => {}, 60_000); // LEAK:timer.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    setInterval(() => {}, 60_000); // LEAK:timer.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  setInterval(() => {}, 60_000); // LEAK:timer.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  setInterval(() => {}, 60_000); // LEAK:timer.after-await
});

test('does not leak', () => {});

test('leaks a setTimeout', () => {
  setTimeout(() => {}, 60_000); // LEAK:timer.setTimeout
});

test('leaks through an un-awaited promise chain that outlives the test', () => {
  void Promise.resolve()
    .then(() => new Promise(resolve => setTimeout(resolve, 30)))
    .then(() => {
      setInterval(() => {}, 60_000); // LEAK:timer.outliving-chain
    });
});

// The chain waits on an unref'd timer, which nothing settles for: it finishes only while
// the next test runs, and its interval still belongs to this test (async causality).
test('leaks through a chain that finishes while the next test runs', () => {
  void new Promise(resolve => setTimeout(resolve, 150).unref()).then(() => {
    setInterval(() => {}, 60_000); // LEAK:timer.outliving-chain-late
  });
});

test('runs while the previous test\'s chain finishes', async () => {
  await new Promise(resolve => setTimeout(resolve, 400));
});

test('leaks in a test with a done callback', done => {
  setInterval(() => {}, 60_000); // LEAK:timer.done-callback
  setImmediate(done);
});

test.each([['first']])('leaks in test.each (%s)', () => {
  setInterval(() => {}, 60_000); // LEAK:timer.test-each
});

describe('outer', () => {
  describe('inner', () => {
    beforeAll(() => {
      setInterval(() => {}, 60_000); // LEAK:timer.nested-describe-beforeAll
    });

    test('passes inside a leaking nested describe', () => {});

    test.skip('is skipped', () => {
      setInterval(() => {}, 60_000);
    });

    test.todo('is a todo');
  });
});
