#!/usr/bin/env node
'use strict';
/**
 * Microbenchmark of the core tracker (packages/core/dist) outside Jest: nanoseconds per
 * operation with no tracker, and with `trackResources()` running inside `runAs(owner)` as a
 * test would. Each case runs in its own child process (hooks are process-wide), alternating
 * off/on, `--rounds` times (default 5); prints medians.
 *
 *   node bench/micro.js [--rounds N] [--case await,timer,...]
 */
const {execFileSync} = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const ROOT = path.resolve(__dirname, '..');
const CORE = path.join(ROOT, 'packages/core/dist/index.js');

const CASES = {
  // name: [iterations, body (async, gets i)]
  await: [1_000_000, 'await Promise.resolve(i);'],
  asyncFn: [300_000, 'await (async () => { await null; return i; })();'],
  timer: [100_000, 'clearTimeout(setTimeout(noop, 1000));'],
  immediateTick: [50_000, 'await new Promise(r => setImmediate(r));'],
  openSync: [20_000, 'fs.closeSync(fs.openSync(FILE, "r"));'],
  // Node's own (path, flags, 0o666) open: how Jest reads every module it loads.
  readFileSync: [20_000, 'fs.readFileSync(FILE);'],
  readFile: [5_000, 'await fsp.readFile(FILE);'],
  settleEmpty: [20_000, 'await tracker.settle({select: () => true, settleMsFor: () => 100});'],
};

function child(caseName, on) {
  const [n, body] = CASES[caseName];
  const file = path.join(os.tmpdir(), 'leakwatch-micro.txt');
  fs.writeFileSync(file, 'x'.repeat(1000));
  const src = `
    const fs = require('node:fs');
    const fsp = require('node:fs/promises');
    const core = require(${JSON.stringify(CORE)});
    const FILE = ${JSON.stringify(file)};
    const noop = () => {};
    const tracker = ${on} || ${JSON.stringify(caseName)} === 'settleEmpty' ? core.trackResources({stackDepth: 10}) : null;
    const owner = {scope: 'test', scopePath: ['micro', 'case']};
    async function run(n) { for (let i = 0; i < n; i++) { ${body} } }
    async function main() {
      const go = () => (tracker && ${on} ? tracker.runAs(owner, () => run(${n})) : run(${n}));
      await go(); // warm-up
      const t0 = process.hrtime.bigint();
      await go();
      const ns = Number(process.hrtime.bigint() - t0) / ${n};
      if (tracker && typeof tracker.prune === 'function') tracker.prune();
      const held = tracker ? tracker.records().length : 0;
      process.stdout.write(JSON.stringify({ns, held}));
      if (tracker) tracker.stop();
    }
    main();
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', src], {encoding: 'utf8'}));
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const argv = process.argv.slice(2);
  let rounds = 5;
  let cases = Object.keys(CASES);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') rounds = Number(argv[++i]);
    else if (argv[i] === '--case') cases = argv[++i].split(',');
  }
  if (!fs.existsSync(CORE) || typeof require(CORE).trackResources !== 'function') {
    console.error('packages/core/dist has no trackResources; run `npm run build`');
    process.exit(1);
  }
  console.log(`tracker microbenchmark, Node ${process.version}, ${rounds} rounds, ns per operation (median [min–max])`);
  console.log('case          | off               | on                  | on/off | records held after');
  for (const c of cases) {
    const off = [];
    const on = [];
    let held = 0;
    for (let r = 0; r < rounds; r++) {
      if (c !== 'settleEmpty') off.push(child(c, false).ns);
      const x = child(c, true);
      on.push(x.ns);
      held = x.held;
    }
    const f = xs => (xs.length ? `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]` : '—');
    const ratio = off.length ? (median(on) / median(off)).toFixed(2) + 'x' : '—';
    console.log(`${c.padEnd(13)} | ${f(off).padEnd(17)} | ${f(on).padEnd(19)} | ${ratio.padEnd(6)} | ${held}`);
  }
}

main();
