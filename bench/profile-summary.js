#!/usr/bin/env node
'use strict';
/**
 * Summarises V8 .cpuprofile files (from NODE_OPTIONS=--cpu-prof): self time per function and
 * per bucket (Leakwatch, Jest, node internals, test code, GC, idle). Time = samples × the
 * median sampling interval, so descheduled stretches on a busy machine are not counted.
 *
 *   node bench/profile-summary.js <dir-or-file>... [--top N]
 */
const fs = require('node:fs');
const path = require('node:path');

function bucketOf(url, name) {
  if (!url) {
    if (name === '(garbage collector)') return 'gc';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return 'program';
    return 'native';
  }
  if (/packages\/(core|jest-environment|jest-reporter)\//.test(url)) return 'leakwatch';
  if (url.startsWith('node:')) return 'node';
  if (/node_modules\/(jest|@jest|jest-[^/]+|expect|pretty-format|babel-|@babel)/.test(url)) return 'jest';
  if (url.includes('node_modules')) return 'deps';
  if (url.includes('/bench/.work/')) return 'test code';
  return 'other';
}

function summarizeProfiles(profiles, {top = 25, root = process.cwd()} = {}) {
  const byFn = new Map();
  const byBucket = new Map();
  let totalUs = 0;
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map(n => [n.id, n]));
    // Each sample counts as the profile's median sampling interval. Summing timeDeltas
    // instead would charge the whole time the process was descheduled (a loaded machine)
    // to whatever function the next sample happened to land in.
    const deltas = p.timeDeltas.filter(d => d > 0).sort((a, b) => a - b);
    const interval = deltas.length ? deltas[deltas.length >> 1] : 1000;
    const self = new Map();
    for (let i = 0; i < p.samples.length; i++) {
      self.set(p.samples[i], (self.get(p.samples[i]) || 0) + interval);
    }
    for (const [id, us] of self) {
      const n = nodes.get(id);
      if (!n) continue;
      const cf = n.callFrame;
      const bucket = bucketOf(cf.url, cf.functionName);
      totalUs += us;
      byBucket.set(bucket, (byBucket.get(bucket) || 0) + us);
      const loc = cf.url ? `${cf.url.replace('file://', '').replace(root + '/', '')}:${cf.lineNumber + 1}` : '';
      const key = `${cf.functionName || '(anonymous)'} ${loc}`;
      const e = byFn.get(key) || {fn: cf.functionName || '(anonymous)', loc, bucket, us: 0};
      e.us += us;
      byFn.set(key, e);
    }
  }
  // Inclusive time of Leakwatch's own functions: each sample counts once for every distinct
  // Leakwatch function on its stack (what the environment, tracker and reporter cost,
  // Node work they call included).
  const inclusive = new Map();
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map(n => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
    const deltas = p.timeDeltas.filter(d => d > 0).sort((a, b) => a - b);
    const interval = deltas.length ? deltas[deltas.length >> 1] : 1000;
    const cache = new Map();
    const keysOf = id => {
      if (cache.has(id)) return cache.get(id);
      const keys = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const cf = nodes.get(cur).callFrame;
        if (bucketOf(cf.url, cf.functionName) !== 'leakwatch') continue;
        keys.add(`${cf.functionName || '(anonymous)'} ${cf.url.replace('file://', '').replace(root + '/', '')}:${cf.lineNumber + 1}`);
      }
      cache.set(id, keys);
      return keys;
    };
    for (const id of p.samples) for (const k of keysOf(id)) inclusive.set(k, (inclusive.get(k) || 0) + interval);
  }
  const fns = [...byFn.values()].sort((a, b) => b.us - a.us);
  const buckets = [...byBucket.entries()].sort((a, b) => b[1] - a[1]);
  const ms = us => (us / 1000).toFixed(1);
  const pct = us => ((100 * us) / (totalUs || 1)).toFixed(1);
  const lines = [`total sampled ${ms(totalUs)} ms in ${profiles.length} profile(s)`];
  lines.push('by bucket: ' + buckets.map(([b, us]) => `${b} ${ms(us)} ms (${pct(us)}%)`).join(', '));
  lines.push('top self time:');
  for (const f of fns.slice(0, top)) lines.push(`  ${ms(f.us).padStart(8)} ms ${pct(f.us).padStart(5)}%  [${f.bucket}] ${f.fn} ${f.loc}`);
  const lw = fns.filter(f => f.bucket === 'leakwatch');
  if (lw.length) {
    lines.push('top Leakwatch self time:');
    for (const f of lw.slice(0, top)) lines.push(`  ${ms(f.us).padStart(8)} ms ${pct(f.us).padStart(5)}%  ${f.fn} ${f.loc}`);
  }
  const incl = [...inclusive.entries()].sort((a, b) => b[1] - a[1]);
  if (incl.length) {
    lines.push('top Leakwatch inclusive time (callees included):');
    for (const [k, us] of incl.slice(0, top)) lines.push(`  ${ms(us).padStart(8)} ms ${pct(us).padStart(5)}%  ${k}`);
  }
  return {totalUs, buckets: Object.fromEntries(buckets), functions: fns.slice(0, 100), inclusive: incl.slice(0, 100), text: lines.join('\n')};
}

function loadDir(target) {
  const files = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter(f => f.endsWith('.cpuprofile')).map(f => path.join(target, f))
    : [target];
  return files.map(f => JSON.parse(fs.readFileSync(f, 'utf8')));
}

function summarizeDir(dir, opts) {
  return summarizeProfiles(loadDir(dir), opts);
}

module.exports = {summarizeDir, summarizeProfiles};

if (require.main === module) {
  const argv = process.argv.slice(2);
  let top = 25;
  const targets = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') top = Number(argv[++i]);
    else targets.push(argv[i]);
  }
  const profiles = targets.flatMap(loadDir);
  console.log(summarizeProfiles(profiles, {top, root: path.resolve(__dirname, '..')}).text);
}
