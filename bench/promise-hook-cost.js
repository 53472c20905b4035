#!/usr/bin/env node
'use strict';
/**
 * What one `await` costs with Node's promise hooks on, and what Leakwatch's tracker adds to
 * that: each mode runs in its own process (hooks cannot be fully switched off again), awaits
 * an async function 200,000 times, 9 times over, and prints the median per await.
 *
 *   node bench/promise-hook-cost.js
 *
 * Modes: `none` (no hook), `empty-hook` (an async_hooks init hook that does nothing: on
 * Node < 24.14, which has no `trackPromises: false`, any init hook turns the promise hooks on),
 * `leakwatch` (the built tracker, outside any test), `leakwatch-owner` (inside a test's scope,
 * so every promise carries the owner). How many promises a Jest run creates:
 * bench/count-async-resources.js.
 */
const {execFileSync} = require('node:child_process');
const path = require('node:path');

const CORE = path.join(__dirname, '../packages/core/dist/index.js');
const MODES = ['none', 'empty-hook', 'leakwatch', 'leakwatch-owner'];
const AWAITS = 200_000;
const ROUNDS = 9;

async function measure(mode) {
  let tracker;
  if (mode === 'empty-hook') require('./empty-async-hook.js');
  if (mode.startsWith('leakwatch')) {
    tracker = require(CORE).trackResources({stackDepth: 10});
  }
  if (mode === 'leakwatch-owner') tracker.enter(Object.freeze({scope: 'test', scopePath: ['a test']}));
  const leaf = async () => 1;
  const chain = async () => {
    let sum = 0;
    for (let i = 0; i < AWAITS; i++) sum += await leaf();
    return sum;
  };
  const perAwait = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    await chain();
    perAwait.push(Number(process.hrtime.bigint() - started) / AWAITS);
  }
  perAwait.sort((a, b) => a - b);
  return perAwait[ROUNDS >> 1];
}

if (process.argv[2] === '--mode') {
  measure(process.argv[3]).then(ns => process.stdout.write(`${ns}\n`));
} else if (!require('node:fs').existsSync(CORE)) {
  console.error(`promise-hook-cost: ${CORE} is missing; run \`npm run build\` first`);
  process.exitCode = 1;
} else {
  console.log(`Node ${process.version}: ns per await (median of ${ROUNDS} × ${AWAITS.toLocaleString('en')})`);
  for (const mode of MODES) {
    const ns = Number(execFileSync(process.execPath, [__filename, '--mode', mode], {encoding: 'utf8'}));
    console.log(`  ${mode.padEnd(16)} ${ns.toFixed(0)}`);
  }
}
