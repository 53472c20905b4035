#!/usr/bin/env node
// Benchmark: a 10,000-test run through the built reporter (sidecars on disk → onTestFileResult
// → onRunComplete writing leakwatch.json, junit.xml, report.html), then report.html opened in
// headless Chromium: time until the page is interactive and time for a search to update.
// Usage: npm run build && node packages/jest-reporter/bench/html-10k.js [files=200] [testsPerFile=50]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {pathToFileURL} = require('node:url');
const {performance} = require('node:perf_hooks');
const {writeSidecar} = require('@leakwatch/core');
const {LeakwatchReporter} = require('../dist/index.js');

const FILES = Number(process.argv[2] ?? 200);
const PER_FILE = Number(process.argv[3] ?? 50);
const CHROMIUM = process.env.LEAKWATCH_CHROMIUM ?? '/usr/bin/chromium';

function stack(file, line) {
  return [
    `Poller.start (src/module${line % 40}.ts:${line}:7)`,
    `Object.<anonymous> (${file}:${line + 3}:5)`,
    'Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)',
    'new Promise (<anonymous>)',
    'callAsyncCircusFn (node_modules/jest-circus/build/utils.js:231:10)',
    '_callCircusTest (node_modules/jest-circus/build/run.js:316:40)',
  ];
}

function makeRun(root) {
  const runs = [];
  for (let f = 0; f < FILES; f++) {
    const rel = `src/feature${String(f).padStart(3, '0')}/module.test.ts`;
    const testPath = path.join(root, rel);
    const testResults = [];
    const sidecarTests = [];
    for (let t = 0; t < PER_FILE; t++) {
      const id = f * PER_FILE + t;
      const failed = id % 50 === 7; // 2 %
      const leaks = id % 97 === 3; // ~1 %
      const ancestorTitles = [`Feature ${f}`, `group ${t % 5}`];
      const title = `does thing ${t} with input ${id}`;
      testResults.push({
        ancestorTitles,
        title,
        fullName: [...ancestorTitles, title].join(' '),
        status: failed ? 'failed' : id % 101 === 5 ? 'pending' : 'passed',
        duration: (id * 7) % 40,
        invocations: 1,
        failureMessages: failed
          ? [`Error: expect(received).toEqual(expected) // deep equality\n\n- Expected  - 1\n+ Received  + 1\n\n  Object {\n-   "a": 2,\n+   "a": 1,\n  }\n    at Object.toEqual (${rel}:${t + 10}:20)\n` + '    at node_modules/jest-circus/build/run.js:1:1\n'.repeat(8)]
          : [],
        location: {line: t * 6 + 3, column: 3},
        numPassingAsserts: 1,
        failureDetails: [],
      });
      sidecarTests.push({
        titlePath: [...ancestorTitles, title],
        memoryDeltaBytes: (id * 7919) % 200000,
        findings: leaks
          ? [{
              id: `${rel}:test:${t}:timer`,
              kind: id % 2 ? 'timer' : 'socket',
              severity: 'error',
              scope: 'test',
              scopePath: [...ancestorTitles, title],
              resourceType: id % 2 ? 'Timeout' : 'TCPWRAP',
              message: id % 2 ? 'setInterval(1000 ms) still pending after the test' : 'socket to 127.0.0.1:8080 still open',
              location: {file: `src/module${id % 40}.ts`, line: id % 40, column: 7},
              stack: stack(rel, id % 40),
              details: {delayMs: 1000, refed: true},
            }]
          : [],
      });
    }
    runs.push({
      testPath,
      result: {
        testFilePath: testPath,
        numFailingTests: testResults.filter(r => r.status === 'failed').length,
        perfStats: {start: 1000, end: 1000 + PER_FILE * 12},
        testResults,
      },
      sidecar: {
        sidecarVersion: 1,
        testPath,
        projectId: 'bench',
        rootDir: root,
        options: {},
        findings: [],
        tests: sidecarTests,
        warnings: [],
        node: {version: process.version},
        memory: {
          heapBeforeBytes: 20e6,
          heapAfterBytes: 20e6 + f * 1000,
          growthBytes: f * 1000,
          samples: [
            {label: 'start', heapUsedBytes: 20e6},
            {label: 'after tests', heapUsedBytes: 21e6},
            {label: 'after teardown', heapUsedBytes: 20e6 + f * 1000},
          ],
        },
      },
    });
  }
  return runs;
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-'));
  const runs = makeRun(root);
  const reporter = new LeakwatchReporter({rootDir: root}, {hangDiagnosis: false, quiet: true}, undefined, {env: {}, log: () => {}});
  const runDir = path.join(root, 'leakwatch-report', '.sidecars');
  for (const run of runs) writeSidecar(runDir, run.sidecar);

  const t0 = performance.now();
  for (const run of runs) reporter.onTestFileResult({path: run.testPath, context: {config: {id: 'bench'}}}, run.result);
  const t1 = performance.now();
  reporter.onRunComplete();
  const t2 = performance.now();

  const out = path.join(root, 'leakwatch-report');
  const size = name => fs.statSync(path.join(out, name)).size;
  const report = JSON.parse(fs.readFileSync(path.join(out, 'leakwatch.json'), 'utf8'));
  const results = {
    tests: report.summary.tests,
    files: report.summary.files,
    findings: report.summary.findings,
    mergeMs: +(t1 - t0).toFixed(1),
    writeAllMs: +(t2 - t1).toFixed(1),
    bytes: {json: size('leakwatch.json'), junit: size('junit.xml'), html: size('report.html')},
  };

  const {chromium} = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const url = pathToFileURL(path.join(out, 'report.html')).href;
  const loads = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    await page.waitForSelector('html[data-ready=true]', {state: 'attached'});
    const timing = await page.evaluate(`(() => {
      const ready = performance.getEntriesByName('leakwatch-ready')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      return {readyMs: ready.startTime, domContentLoadedMs: nav.domContentLoadedEventEnd, domNodes: document.getElementsByTagName('*').length};
    })()`);
    const s0 = Date.now();
    await page.fill('input[type=search]', 'input 4242');
    await page.locator('[data-testid=result-count]', {hasText: /^1 of 10000 tests/}).waitFor();
    const searchMs = Date.now() - s0; // includes the 120 ms input debounce
    loads.push({...timing, searchMs, errors: errors.length});
    await page.close();
  }
  await browser.close();
  results.chromium = loads.map(l => ({readyMs: Math.round(l.readyMs), domContentLoadedMs: Math.round(l.domContentLoadedMs), domNodes: l.domNodes, searchMs: l.searchMs, errors: l.errors}));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  fs.rmSync(root, {recursive: true, force: true});
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
