#!/usr/bin/env node
'use strict';
/**
 * Prints the Markdown tables of BENCHMARKS.md from bench/.work/results.json (or a given file),
 * so the numbers in the document are copied from a run, not typed.
 *
 *   node bench/results-md.js [results.json]
 */
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2] || path.join(__dirname, '.work/results.json');
const results = JSON.parse(fs.readFileSync(file, 'utf8'));

const s = ms => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
const x = r => (Number.isFinite(r) ? r.toFixed(2) + '×' : 'n/a');
const mib = v => (Number.isFinite(v) ? String(Math.round(v)) : 'n/a');

const m = results.machine;
console.log(`Run ${results.startedAt} → ${results.finishedAt || '?'}; ${m.nproc} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB, ${m.platform}, Node ${m.node}, Jest ${m.jest}; ` +
  `${results.args.runs} measured runs per configuration${results.args.warmup ? ' after 1 warm-up round' : ''}; workers: ${results.args.workers ?? "Jest's default"}; ` +
  `load average at start ${m.loadavgAtStart?.join(' ')}, at end ${m.loadavgAtEnd?.join(' ') ?? '?'}.\n`);

console.log('| shape | config | wall median (s) | wall min–max (s) | wall IQR (s) | CPU median (s) | peak RSS median (MiB) | Σ test time median (s) | wall ratio vs stock, paired median [min–max] | CPU ratio | RSS ratio | Σ test time ratio |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [shape, data] of Object.entries(results.shapes)) {
  if (shape === 'd') continue;
  for (const [config, c] of Object.entries(data.summary.byConfig)) {
    const r = data.summary.ratios[`${config}/stock`];
    console.log(`| ${shape} | ${config} | ${s(c.wallMs.median)} | ${s(c.wallMs.min)}–${s(c.wallMs.max)} | ${s(c.wallMs.q1)}–${s(c.wallMs.q3)} | ${s(c.cpuMs.median)} | ${mib(c.peakRssMiB.median)} | ${s(c.testTimeMs?.median)} | ` +
      (r ? `${x(r.wallMs.median)} [${x(r.wallMs.min)}–${x(r.wallMs.max)}] | ${x(r.cpuMs.median)} | ${x(r.peakRssMiB.median)} | ${x(r.testTimeMs?.median)} |` : '— | — | — | — |') +
      (c.failedRuns ? ` (${c.failedRuns} failed runs)` : ''));
  }
}
const d = results.shapes.d;
if (d && d.summary.byConfig.leakwatch) {
  const c = d.summary.byConfig.leakwatch;
  const p = c.renderPhases || {};
  console.log(`\nShape d (${p.tests ?? '?'} tests, ${p.files ?? '?'} files, ${p.findings ?? '?'} findings): in-process render median ${s(c.renderMs?.median)} s [${s(c.renderMs?.min)}–${s(c.renderMs?.max)}], ` +
    `whole process median ${s(c.wallMs.median)} s, peak RSS ${mib(c.peakRssMiB.median)} MiB; last run: constructor ${s(p.constructMs)} s, onTestFileResult ×${p.files} ${s(p.onTestFileResultMs)} s, ` +
    `onRunComplete ${s(p.onRunCompleteMs)} s; outputs ${JSON.stringify(p.bytes)} bytes.`);
}
for (const [shape, data] of Object.entries(results.shapes)) {
  const lw = data.runs.filter(r => r.leakwatch).map(r => r.leakwatch);
  if (!lw.length) continue;
  const findings = lw.map(l => l.summary?.findings ?? 'no report');
  console.log(`\nshape ${shape}: Leakwatch findings per run (leak-free suite, so any is a false positive): ${findings.join(', ')}`);
  const sample = lw.find(l => l.sampleFindings?.length);
  if (sample) console.log('  e.g. ' + JSON.stringify(sample.sampleFindings.slice(0, 3)));
}
