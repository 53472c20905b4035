// Look-alikes: resources opened in one hook (or at module scope) and closed in its counterpart.
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');

const fd = fs.openSync(__filename, 'r');
afterAll(() => fs.closeSync(fd));

let server;
beforeAll(async () => {
  server = http.createServer((req, res) => res.end('ok'));
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
});
afterAll(done => {
  server.close(done);
});

let interval;
beforeEach(() => {
  interval = setInterval(() => {}, 60_000);
});
afterEach(() => {
  clearInterval(interval);
});

test('uses the shared server', async () => {
  const body = await new Promise((resolve, reject) => {
    http
      .get({host: '127.0.0.1', port: server.address().port, agent: false}, res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  expect(body).toBe('ok');
});

describe('a describe block with its own watcher', () => {
  let watcher;
  beforeAll(() => {
    watcher = fs.watch(os.tmpdir());
  });
  afterAll(() => {
    watcher.close();
  });

  test('first', () => {
    expect(watcher).toBeDefined();
  });

  test('second', () => {
    expect(fs.fstatSync(fd).isFile()).toBe(true);
  });
});
