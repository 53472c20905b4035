// Mixed: some tests clean up after themselves, some forget.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {finished} = require('node:stream/promises');
const {createApp, listen} = require('../src/app');
const {UserStore} = require('../src/userStore');

describe('users API', () => {
  test('creates and reads a user (clean)', async () => {
    const store = new UserStore().start();
    const server = createApp({store});
    const baseUrl = await listen(server);
    try {
      const created = await (await fetch(`${baseUrl}/users`, {method: 'POST', body: JSON.stringify({name: 'Ada'})})).json();
      const read = await (await fetch(`${baseUrl}/users/${created.id}`)).json();
      expect(read.name).toBe('Ada');
    } finally {
      store.stop();
      await new Promise(resolve => server.close(resolve));
    }
  });

  test('returns 404 for a missing user (forgets to close the server)', async () => {
    const server = createApp();
    const baseUrl = await listen(server);
    const response = await fetch(`${baseUrl}/users/missing`);
    expect(response.status).toBe(404);
    await response.text();
  });

  test('expires old users (forgets to stop the sweeper)', async () => {
    const store = new UserStore({ttlMs: 10}).start();
    await store.add({name: 'Grace'});
    store.sweep(Date.now() + 1_000);
    expect(store.users.size).toBe(0);
  });
});

describe('access log', () => {
  const logFile = path.join(os.tmpdir(), `leakwatch-example-${process.pid}.log`);

  afterAll(() => fs.rmSync(logFile, {force: true}));

  test('writes one line per request (clean)', async () => {
    const server = createApp({accessLog: logFile});
    const baseUrl = await listen(server);
    await (await fetch(`${baseUrl}/health`)).text();
    await new Promise(resolve => server.close(resolve));
    await finished(server.accessLog);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('GET /health');
  });

  test('tails the log (opens a descriptor and never closes it)', () => {
    fs.writeFileSync(logFile, 'GET /health\n');
    const fd = fs.openSync(logFile, 'r');
    const buffer = Buffer.alloc(64);
    const bytes = fs.readSync(fd, buffer, 0, 64, 0);
    expect(buffer.subarray(0, bytes).toString()).toContain('GET');
  });
});
