#!/usr/bin/env node
'use strict';
/**
 * Where Leakwatch's time goes inside a Jest run, by event and by part: runs a Jest project in
 * band with a preload (bench/event-costs-preload.js) that wraps the environment's
 * `handleTestEvent` (per circus event; an event that returns a promise is timed until it
 * settles) and the parts it calls (state snapshots, memory probe, the tracker's checks), then
 * prints time per run and per call. Rows nest: `test_done` includes `StateMonitor.testEnd`.
 * In-process timing (performance.now around each call) adds ~0.1-0.3 us per timed call.
 *
 *   node bench/event-costs.js --config <jest config> [--jest <path to jest/bin/jest.js>] [--runs N]
 *
 * The config must use a built Leakwatch (environment, and reporter for the reporter rows).
 */
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

const config = arg('config');
if (!config) {
  console.error('usage: node bench/event-costs.js --config <jest config> [--jest <jest/bin/jest.js>] [--runs N]');
  process.exit(2);
}
const jestBin = path.resolve(arg('jest', path.join(__dirname, '../node_modules/jest/bin/jest.js')));
const runs = Number(arg('runs', 3));
const preload = path.join(__dirname, 'event-costs-preload.js');

/** key → {calls, ms} summed over runs */
const totals = new Map();
let testCount = 0;
let fileCount = 0;
for (let run = 0; run < runs; run++) {
  const out = path.join(os.tmpdir(), `leakwatch-event-costs-${process.pid}-${run}.json`);
  const result = spawnSync(process.execPath, [jestBin, '--ci', '--runInBand', '--config', path.resolve(config), '--json', `--outputFile=${out}.jest`], {
    cwd: path.dirname(path.resolve(config)),
    env: {...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(), LEAKWATCH_EVENT_COSTS_OUT: out},
    encoding: 'utf8',
  });
  if (!fs.existsSync(out)) {
    console.error(`run ${run + 1}: no timings written (exit ${result.status})\n${result.stderr.slice(-2000)}`);
    process.exit(1);
  }
  const jest = JSON.parse(fs.readFileSync(`${out}.jest`, 'utf8'));
  testCount += jest.numTotalTests;
  fileCount += jest.numTotalTestSuites;
  for (const [key, {calls, ms}] of Object.entries(JSON.parse(fs.readFileSync(out, 'utf8')))) {
    const entry = totals.get(key) ?? {calls: 0, ms: 0};
    entry.calls += calls;
    entry.ms += ms;
    totals.set(key, entry);
  }
  fs.rmSync(out, {force: true});
  fs.rmSync(`${out}.jest`, {force: true});
}

console.log(`${path.relative(process.cwd(), config)}: ${fileCount / runs} files, ${testCount / runs} tests, ${runs} runs in band (rows nest)`);
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
console.log(`${'what'.padEnd(42)} ${'ms/run'.padStart(8)} ${'calls/run'.padStart(10)} ${'us/call'.padStart(9)}`);
for (const [key, {calls, ms}] of rows) {
  console.log(`${key.padEnd(42)} ${(ms / runs).toFixed(1).padStart(8)} ${String(Math.round(calls / runs)).padStart(10)} ${((1000 * ms) / calls).toFixed(1).padStart(9)}`);
}
