'use strict';
/**
 * Diagnostic preload (`node -r bench/settle-probe.js …/jest.js`): wraps the core tracker's
 * `settle()` to measure how long Leakwatch waits for closing resources, and writes a summary
 * to $LEAKWATCH_BENCH_SETTLE_OUT (one JSON line per process) at exit. Used by
 * `node bench/run.js --settle-probe`; never loaded in measured runs.
 */
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.LEAKWATCH_BENCH_SETTLE_OUT;
const modulePath = path.resolve(__dirname, '../packages/core/dist/tracker/trackResources.js');
const seen = new WeakSet();
const stats = {pid: process.pid, creators: {}, recordsSeenByType: {}, aliveAtStart: {}, calls: 0, waited: 0, totalMs: 0, maxMs: 0, waitedMsByKind: {}, hist: {'<1ms': 0, '1-5ms': 0, '5-20ms': 0, '20-100ms': 0, '>=100ms': 0}};

try {
  const mod = require(modulePath);
  const original = mod.trackResources;
  mod.trackResources = function trackResources(...args) {
    const tracker = original.apply(this, args);
    const settle = tracker.settle;
    tracker.settle = async function (options) {
      const alive = [];
      try {
        for (const r of tracker.records()) {
          if (!seen.has(r)) {
            seen.add(r);
            stats.recordsSeenByType[r.type] = (stats.recordsSeenByType[r.type] || 0) + 1;
            if (process.env.LEAKWATCH_BENCH_SETTLE_STACKS) {
              const frames = r.stack && r.stack.stack ? r.stack.stack.split('\n').slice(1).map(x => x.trim()).filter(x => !x.includes('(node:') && !x.startsWith('at node:') && !x.includes('/packages/core/')).slice(0, 3).join(' < ') : '?';
              const key = `${r.type}: ${frames}`;
              stats.creators[key] = (stats.creators[key] || 0) + 1;
            }
          }
          if (!r.reported && options.select(r) && r.liveness() === 'alive') alive.push(r);
        }
      } catch {}
      const t0 = performance.now();
      const kinds = new Set();
      const select = options.select;
      const wrapped = {
        ...options,
        settleMsFor: kind => {
          kinds.add(kind);
          return options.settleMsFor(kind);
        },
        select,
      };
      try {
        return await settle.call(this, wrapped);
      } finally {
        const ms = performance.now() - t0;
        stats.calls++;
        stats.totalMs += ms;
        stats.maxMs = Math.max(stats.maxMs, ms);
        // settleMsFor is only asked when something was still alive, i.e. when it waited.
        if (kinds.size) {
          stats.waited++;
          for (const r of alive) {
            let d = {};
            try {
              d = r.details();
            } catch {}
            const key = `${r.type} ${d.api || ''} ${d.delayMs ?? ''} ${d.callback || ''}`.replace(/\s+/g, ' ').trim();
            const e = (stats.aliveAtStart[key] = stats.aliveAtStart[key] || {count: 0, ms: 0, example: undefined});
            e.count++;
            e.ms += ms;
            if (!e.example) e.example = (r.stack && r.stack.stack ? r.stack.stack.split('\n').slice(1, 7).map(x => x.trim()) : undefined);
          }
          for (const k of kinds) stats.waitedMsByKind[k] = (stats.waitedMsByKind[k] || 0) + ms;
        }
        stats.hist[ms < 1 ? '<1ms' : ms < 5 ? '1-5ms' : ms < 20 ? '5-20ms' : ms < 100 ? '20-100ms' : '>=100ms']++;
      }
    };
    return tracker;
  };
} catch (error) {
  stats.error = String(error);
}

process.on('exit', () => {
  if (out && (stats.calls || stats.error)) fs.appendFileSync(out, JSON.stringify(stats) + '\n');
});
