'use strict';
/**
 * Generators for the leak-free benchmark suites. Each shape writes a self-contained Jest
 * project (plain CommonJS test files, no transform) into its own directory.
 *
 * The suites must be leak-free: every server, socket, agent, file handle and timer a test
 * opens is closed before the test (or its afterAll) finishes. A finding from Leakwatch on
 * one of these suites is a false positive and the harness reports it.
 */
const fs = require('node:fs');
const path = require('node:path');

const SIZES = {
  full: {
    a: {files: 50, tests: 25},
    b: {files: 6, awaits: 100_000},
    c: {files: 12, requests: 10},
    d: {files: 200, tests: 50},
  },
  smoke: {
    a: {files: 3, tests: 3},
    b: {files: 1, awaits: 2_000},
    c: {files: 1, requests: 2},
    d: {files: 4, tests: 25},
  },
};

const DESCRIPTIONS = {
  a: 'many files of tiny pure tests',
  b: 'promise-heavy tests',
  c: 'http server / sockets / fetch / fs / short timers',
  d: 'reporter only: render a 10,000-test run report',
};

function write(dir, rel, text) {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, text);
}

function pad(n) {
  return String(n).padStart(3, '0');
}

// ---------------------------------------------------------------------------- (a)
function shapeA(dir, {files, tests}) {
  write(
    dir,
    'src/math.js',
    `'use strict';
exports.add = (a, b) => a + b;
exports.slug = s => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
exports.chunk = (xs, n) => { const out = []; for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n)); return out; };
exports.deepMerge = function deepMerge(a, b) {
  const out = {...a};
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(a[k] || {}, v) : v;
  return out;
};
`,
  );
  for (let f = 0; f < files; f++) {
    let body = `'use strict';\nconst {add, slug, chunk, deepMerge} = require('../src/math');\n\n`;
    const perDescribe = Math.max(1, Math.ceil(tests / 3));
    for (let t = 0; t < tests; t++) {
      if (t % perDescribe === 0) body += `${t ? '});\n\n' : ''}describe('group ${t / perDescribe}', () => {\n`;
      switch (t % 5) {
        case 0:
          body += `  test('adds ${t}', () => { expect(add(${t}, ${f})).toBe(${t + f}); });\n`;
          break;
        case 1:
          body += `  test('slugs ${t}', () => { expect(slug('Hello World ${t} / File ${f}')).toBe('hello-world-${t}-file-${f}'); });\n`;
          break;
        case 2:
          body += `  test('chunks ${t}', () => { expect(chunk([1, 2, 3, 4, 5, ${t}], 2)).toEqual([[1, 2], [3, 4], [5, ${t}]]); });\n`;
          break;
        case 3:
          body += `  test('merges ${t}', () => { expect(deepMerge({a: {b: 1}, c: [1]}, {a: {d: ${t}}})).toEqual({a: {b: 1, d: ${t}}, c: [1]}); });\n`;
          break;
        default:
          body += `  test('objects ${t}', () => { const o = {id: ${t}, tags: ['x', 'y'], nested: {f: ${f}}}; expect(o).toMatchObject({id: ${t}}); expect(o.tags).toContain('y'); });\n`;
      }
    }
    body += '});\n';
    write(dir, `__tests__/pure${pad(f)}.test.js`, body);
  }
}

// ---------------------------------------------------------------------------- (b)
function shapeB(dir, {files, awaits}) {
  const loop = Math.round(awaits * 0.5); // plain awaits in a loop
  const chains = Math.round((awaits * 0.3) / 3); // async call chains, 3 awaits each
  const fanout = Math.round(awaits * 0.2); // Promise.all fan-out, 1 await each
  for (let f = 0; f < files; f++) {
    write(
      dir,
      `__tests__/promises${pad(f)}.test.js`,
      `'use strict';
// About ${loop + chains * 3 + fanout} awaits in this file.
async function leaf(x) { await null; return x + 1; }
async function mid(x) { const y = await leaf(x); return (await leaf(y)) * 2; }
async function top(x) { return mid(await x); }

test('await in a loop (${loop} awaits)', async () => {
  let sum = 0;
  for (let i = 0; i < ${loop}; i++) sum += await Promise.resolve(i & 7);
  expect(sum).toBeGreaterThan(0);
});

test('async call chains (${chains} x 3 awaits)', async () => {
  let acc = 0;
  for (let i = 0; i < ${chains}; i++) acc += await top(i & 3);
  expect(acc).toBeGreaterThan(0);
});

test('Promise.all fan-out (${fanout} promises)', async () => {
  const results = await Promise.all(Array.from({length: ${fanout}}, (_, i) => leaf(i)));
  expect(results).toHaveLength(${fanout});
});
`,
    );
  }
}

// ---------------------------------------------------------------------------- (c)
function shapeC(dir, {files, requests}) {
  write(
    dir,
    'src/server.js',
    `'use strict';
const http = require('node:http');

/** A small JSON API; /close answers with Connection: close. */
function createServer() {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url === '/close') res.setHeader('connection', 'close');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({url: req.url, method: req.method, length: body.length}));
    });
  });
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function close(server) {
  return new Promise(resolve => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function get(port, urlPath, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get({host: '127.0.0.1', port, path: urlPath, agent}, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', d => (text += d));
      res.on('end', () => resolve({status: res.statusCode, json: JSON.parse(text)}));
    });
    req.on('error', reject);
  });
}

module.exports = {createServer, listen, close, get};
`,
  );
  for (let f = 0; f < files; f++) {
    write(
      dir,
      `__tests__/io${pad(f)}.test.js`,
      `'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const {createServer, listen, close, get} = require('../src/server');

let server;
let port;
let tmp;

beforeAll(async () => {
  server = createServer();
  port = await listen(server);
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lw-bench-${f}-'));
});

afterAll(async () => {
  await close(server);
  await fsp.rm(tmp, {recursive: true, force: true});
});

describe('http', () => {
  test('requests without keep-alive', async () => {
    for (let i = 0; i < ${requests}; i++) {
      const r = await get(port, '/plain/' + i, false);
      expect(r.status).toBe(200);
    }
  });

  test('requests with a keep-alive agent', async () => {
    const agent = new http.Agent({keepAlive: true, maxSockets: 2});
    try {
      const rs = await Promise.all(Array.from({length: ${requests}}, (_, i) => get(port, '/ka/' + i, agent)));
      expect(rs.every(r => r.status === 200)).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  test('fetch', async () => {
    for (let i = 0; i < ${Math.max(1, Math.ceil(requests / 2))}; i++) {
      const res = await fetch('http://127.0.0.1:' + port + '/close', {method: 'POST', body: 'x'.repeat(100)});
      expect(await res.json()).toEqual({url: '/close', method: 'POST', length: 100});
    }
  });
});

describe('fs', () => {
  test('writeFile / readFile', async () => {
    for (let i = 0; i < ${requests}; i++) {
      const file = path.join(tmp, 'f' + i + '.txt');
      await fsp.writeFile(file, 'hello ' + i);
      expect(await fsp.readFile(file, 'utf8')).toBe('hello ' + i);
    }
  });

  test('sync fs and FileHandle', async () => {
    const file = path.join(tmp, 'sync.txt');
    fs.writeFileSync(file, 'abc');
    const fd = fs.openSync(file, 'r');
    try {
      expect(fs.readFileSync(fd, 'utf8')).toBe('abc');
    } finally {
      fs.closeSync(fd);
    }
    const handle = await fsp.open(file, 'r');
    try {
      expect((await handle.readFile('utf8')).length).toBe(3);
    } finally {
      await handle.close();
    }
  });

  test('streams', async () => {
    const src = path.join(tmp, 'stream-src.txt');
    const dst = path.join(tmp, 'stream-dst.txt');
    fs.writeFileSync(src, 'line\\n'.repeat(2000));
    await new Promise((resolve, reject) => {
      fs.createReadStream(src).pipe(fs.createWriteStream(dst)).on('finish', resolve).on('error', reject);
    });
    expect(fs.statSync(dst).size).toBe(fs.statSync(src).size);
  });
});

describe('timers', () => {
  test('short timeouts', async () => {
    await new Promise(r => setTimeout(r, 5));
    await new Promise(r => setImmediate(r));
    expect(true).toBe(true);
  });

  test('an interval that is cleared', async () => {
    let ticks = 0;
    await new Promise(resolve => {
      const id = setInterval(() => {
        if (++ticks === 3) {
          clearInterval(id);
          resolve();
        }
      }, 2);
    });
    expect(ticks).toBe(3);
  });

  test('a timeout that is cancelled', () => {
    const id = setTimeout(() => {}, 10_000);
    clearTimeout(id);
    expect(id).toBeDefined();
  });
});
`,
    );
  }
}

// ---------------------------------------------------------------------------- (d)
/** Shape d has no Jest suite: the render worker (render-report.js) builds synthetic results. */
function shapeD(dir, size) {
  write(dir, 'size.json', JSON.stringify(size));
}

// ---------------------------------------------------------------------------- control
/**
 * Positive control (not timed): one file with two known leaks, run once under Leakwatch so
 * the benchmark proves it measured a tool that was actually watching.
 */
function control(dir) {
  write(
    dir,
    '__tests__/control.test.js',
    `'use strict';
const http = require('node:http');
test('leaks an interval', () => { setInterval(() => {}, 1000); });
test('leaks a server', async () => { const s = http.createServer(); await new Promise(r => s.listen(0, '127.0.0.1', r)); });
test('clean', () => { expect(1).toBe(1); });
`,
  );
}

const GENERATORS = {a: shapeA, b: shapeB, c: shapeC, d: shapeD, control};

/** Writes the suite for `shape` into `dir` (emptied first). */
function generate(shape, dir, size) {
  fs.rmSync(dir, {recursive: true, force: true});
  fs.mkdirSync(dir, {recursive: true});
  GENERATORS[shape](dir, size);
}

module.exports = {SIZES, DESCRIPTIONS, generate};
