#!/usr/bin/env node
/**
 * Measures the per-file memory verdict outside Jest: false-positive rate on allocate-and-
 * release "files", detection rate on ~48 MiB retention, and the probe's cost per file.
 * `npx tsc -b packages/core && node test/memory/measure.js [rounds]`
 */
const {MemoryProbe} = require('../../packages/core/dist/memory/MemoryProbe.js');

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 30);
const exact = process.argv.includes('--exact-baseline');
// Something the size of a Jest worker's runtime (module registry, transformed sources).
const ballast = Array.from({length: 200000}, (_, i) => ({i, s: `module-${i}`}));

const patterns = {
  arrays: mib => Array.from({length: mib * 16}, (_, i) => Array.from({length: 8192}, (_, j) => i + j + 0.5)),
  strings: mib => Array.from({length: mib * 16}, (_, i) => `${i}:${Math.random()}`.padEnd(65536, '#').split('').reverse().join('')),
  objects: mib => Array.from({length: mib * 16 * 1024}, (_, i) => ({a: i, b: i + 1, c: [i]})),
  buffers: mib => Array.from({length: mib}, () => Buffer.alloc(MiB, 1)),
  map: mib => new Map(Array.from({length: mib * 12 * 1024}, (_, i) => [`k${i}`, {v: i, w: [i]}])),
};

// Module-level, like a test file's cache: a local would be dead (and collectable) early.
const kept = [];

// Each "file" also loads a module registry of ~4 MiB that becomes garbage when it ends, as
// a Jest sandbox does: the garbage a file starts with is what the default screen must survive.
let sandbox = null;
const loadSandbox = () => (sandbox = Array.from({length: 40000}, (_, i) => ({i, src: `function m${i}() {}`})));

async function file(kind, retainMiB, tempMiB) {
  loadSandbox();
  const probe = new MemoryProbe(exact ? {exactBaseline: true} : {});
  await probe.fileStart();
  let temp = patterns[kind](tempMiB);
  if (retainMiB) kept.push(patterns[kind](retainMiB));
  temp = null;
  await probe.fileEnd();
  const findings = probe.fileFindings('x', 'warn');
  kept.length = 0;
  sandbox = null;
  return {flagged: findings.some(f => f.resourceType === 'heap'), costMs: probe.costMs, gcCount: probe.gcCount, growth: probe.record().growthBytes};
}

(async () => {
  for (const kind of Object.keys(patterns)) {
    let falsePositives = 0;
    let detected = 0;
    const cleanCost = [];
    const leakCost = [];
    for (let r = 0; r < rounds; r++) {
      const clean = await file(kind, 0, 64);
      if (clean.flagged) falsePositives++;
      cleanCost.push(clean.costMs);
      const leak = await file(kind, 48, 16);
      if (leak.flagged) detected++;
      leakCost.push(leak.costMs);
    }
    const med = xs => xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
    console.log(
      `${kind.padEnd(8)} allocate 64 MiB + release: ${falsePositives}/${rounds} flagged (median probe ${med(cleanCost)} ms/file) | ` +
        `retain 48 MiB: ${detected}/${rounds} flagged (median probe ${med(leakCost)} ms/file)`,
    );
  }
  // The common case: a file that allocates little. One full GC at start, a scavenge at end.
  const small = [];
  let fullGcs = 0;
  for (let r = 0; r < rounds; r++) {
    loadSandbox();
    const probe = new MemoryProbe(exact ? {exactBaseline: true} : {});
    await probe.fileStart();
    let temp = Array.from({length: 5000}, (_, i) => ({i}));
    temp = null;
    await probe.fileEnd();
    sandbox = null;
    small.push(probe.costMs);
    fullGcs += probe.gcCount;
  }
  {
    const med = xs => xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
    console.log(`small file (no big allocation, ~4 MiB sandbox): median probe ${med(small)} ms/file, ${fullGcs} full GCs in ${rounds} files`,
    );
  }
  console.log(`heap: ${(require('v8').getHeapStatistics().used_heap_size / MiB).toFixed(0)} MiB, ballast ${ballast.length}`);
})();
