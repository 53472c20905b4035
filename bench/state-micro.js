#!/usr/bin/env node
'use strict';
/**
 * Microbenchmark of the per-test state snapshot (packages/core/dist) outside Jest: builds a
 * jest-environment-node environment as Jest does, then times the snapshotter's take/diff
 * and the StateMonitor's testStart+testEnd pair (what every test pays) on a clean test,
 * with a fresh start snapshot and with the previous test's end snapshot reused. Also times the
 * two whole-context readings that could replace the per-key check (the accessors' getters by
 * `__lookupGetter__`, all descriptors at once), to compare with `take('test')`, which does
 * the whole check. The last row times single `take('test')` calls after a pass over 4 million
 * objects evicted the CPU caches, as Jest's own work between two tests does.
 * Prints medians over `--rounds` (default 7) of `--iterations` (default 2000) each.
 *
 *   node bench/state-micro.js [--rounds N] [--iterations N] [--jest-root DIR]
 *
 * --jest-root DIR: the jest-environment-node of another Jest install, e.g. test/.work/v29.
 */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const core = require(path.join(ROOT, 'packages/core/dist/state/snapshotState.js'));
const {StateMonitor} = require(path.join(ROOT, 'packages/core/dist/state/StateMonitor.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}
const jestRoot = arg('jest-root', undefined);
const NodeEnvironment = require(jestRoot ? path.resolve(jestRoot, 'node_modules/jest-environment-node') : 'jest-environment-node').default;
const ROUNDS = Number(arg('rounds', 7));
const N = Number(arg('iterations', 2000));

function buildEnvironment() {
  const projectConfig = {
    testEnvironmentOptions: {},
    globals: {},
    fakeTimers: {},
    moduleFileExtensions: ['js'],
    rootDir: ROOT,
    id: 'bench',
  };
  return new NodeEnvironment({globalConfig: {}, projectConfig}, {console, docblockPragmas: {}, testPath: __filename});
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / N / 1000);
  }
  const s = samples.slice().sort((a, b) => a - b);
  return {median: median(samples), min: s[0], max: s[s.length - 1]};
}

/** Single calls, each after a pass over a large array that evicts the CPU caches. */
function timeCold(fn) {
  const ballast = Array.from({length: 4_000_000}, (_, i) => ({i}));
  const evict = () => {
    let sum = 0;
    for (let i = 0; i < ballast.length; i += 7) sum += ballast[i].i;
    return sum;
  };
  const samples = [];
  for (let r = 0; r < 100; r++) {
    evict();
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const s = samples.slice().sort((a, b) => a - b);
  return {median: median(samples), min: s[0], max: s[s.length - 1]};
}

// One environment each: a snapshotter replaces its sandbox's process.env with a counting
// proxy, so a second one on the same sandbox would see the first one's env as replaced and
// read it on every snapshot.
const options = env => ({global: env.global, context: env.getVmContext(), sandboxProcess: env.global.process});
const env = buildEnvironment();
const global = env.global;
const snapshotter = core.createStateSnapshotter(options(env));
const a = snapshotter.take('test');
const b = snapshotter.take('test');
const monitor = new StateMonitor({...options(buildEnvironment()), file: 'bench.test.js', severity: {global: 'warn', env: 'warn', cwd: 'warn', 'process-listener': 'warn', state: 'warn'}});
monitor.fileStart();
const title = ['bench', 'test'];
const context = env.getVmContext();
const accessorKeys = Reflect.ownKeys(context).filter(key => !('value' in Reflect.getOwnPropertyDescriptor(context, key)));
const lookupGetter = Object.prototype.__lookupGetter__;

const results = {
  'Reflect.ownKeys(env.global)': time(() => Reflect.ownKeys(global)),
  "snapshotter.take('file')": time(() => snapshotter.take('file')),
  "snapshotter.take('test')": time(() => snapshotter.take('test')),
  'snapshotter.diff() no change': time(() => snapshotter.diff(a, b)),
  'per test, fresh start snapshot': time(() => {
    monitor.testStart(false);
    monitor.testEnd(title);
  }),
  'per test, start reused from last end': time(() => {
    monitor.testStart(true);
    monitor.testEnd(title);
  }),
  [`context: __lookupGetter__ × ${accessorKeys.length} accessors`]: time(() => {
    for (const key of accessorKeys) lookupGetter.call(context, key);
  }),
  'context: Object.getOwnPropertyDescriptors': time(() => Object.getOwnPropertyDescriptors(context)),
  "snapshotter.take('test'), caches evicted": timeCold(() => snapshotter.take('test')),
};
console.log(`jest-environment-node ${require(path.join(path.dirname(require.resolve(jestRoot ? path.resolve(jestRoot, 'node_modules/jest-environment-node') : 'jest-environment-node')), '../package.json')).version}, Node ${process.version}`);
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(40)} median ${r.median.toFixed(1).padStart(7)} µs  (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)})`);
}
