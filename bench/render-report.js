#!/usr/bin/env node
'use strict';
/**
 * Shape d: the built reporter (packages/jest-reporter/dist) renders a synthetic run of
 * files × tests (default 200 × 50 = 10,000 tests) through the ordinary Jest reporter calls:
 * constructor → onRunStart → onTestFileResult per file → onRunComplete (JSON + JUnit + HTML).
 * Sidecars for the files are written first, outside the timed region (in a real run the
 * environment writes them in the workers).
 *
 *   node bench/render-report.js <dir containing size.json>
 *
 * Prints one line `RENDER_RESULT {json}` with phase times and output sizes.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const REPORTER = path.join(ROOT, 'packages/jest-reporter/dist/index.js');
const core = require(path.join(ROOT, 'packages/core/dist/index.js'));

const dir = path.resolve(process.argv[2] || path.join(__dirname, '.work/d'));
const size = JSON.parse(fs.readFileSync(path.join(dir, 'size.json'), 'utf8'));
const PROJECT_ID = 'bench-project';

// Deterministic pseudo-random numbers so every run renders the same report.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

function stackFor(file, line) {
  return [
    `Object.<anonymous> (${file}:${line}:11)`,
    `Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)`,
    `new Promise (<anonymous>)`,
    `callAsyncCircusFn (node_modules/jest-circus/build/utils.js:231:10)`,
    `_callCircusTest (node_modules/jest-circus/build/run.js:316:40)`,
    `_runTest (node_modules/jest-circus/build/run.js:252:3)`,
  ];
}

const KINDS = [
  ['timer', 'Timeout', 'setInterval(…) 1000 ms still pending'],
  ['socket', 'TCPWRAP', 'socket 127.0.0.1:40000 → 127.0.0.1:8080 still open'],
  ['server', 'TCPSERVERWRAP', 'http server listening on 127.0.0.1:34567 never closed'],
  ['file', 'fs.openSync', 'file descriptor 23 (/tmp/x.txt) never closed'],
];

function finding(rel, scope, scopePath, i, line) {
  const [kind, resourceType, message] = KINDS[i % KINDS.length];
  return {
    id: `${rel}#${scope}#${kind}#${line}`,
    kind,
    severity: 'error',
    scope,
    scopePath,
    resourceType,
    message,
    location: {file: rel, line, column: 11},
    stack: stackFor(rel, line),
    details: {ref: true, delayMs: 1000},
  };
}

function main() {
  const mod = require(REPORTER);
  const Reporter = typeof mod === 'function' ? mod : mod.default || mod.LeakwatchReporter;
  if (typeof Reporter !== 'function') throw new Error(`${REPORTER} exports no reporter class (keys: ${Object.keys(mod)})`);

  fs.rmSync(path.join(dir, 'leakwatch-report'), {recursive: true, force: true});
  delete process.env[core.RUN_DIR_ENV];
  const projectConfig = {id: PROJECT_ID, rootDir: dir, displayName: undefined, testEnvironment: 'node', cacheDirectory: path.join(dir, '.cache')};
  const globalConfig = {
    rootDir: dir,
    reporters: [['default', {}], [REPORTER, {}]],
    cacheDirectory: path.join(dir, '.cache'),
    projects: [],
    testTimeout: 5000,
    maxWorkers: 1,
    silent: false,
    verbose: false,
    watch: false,
    watchAll: false,
    ci: true,
    coverageDirectory: path.join(dir, 'coverage'),
  };

  const t0 = performance.now();
  const reporter = new Reporter(globalConfig, {}, {firstRun: true, previousSuccess: true});
  const tConstructed = performance.now();
  const runDir = process.env[core.RUN_DIR_ENV] || core.reporterRunDir(dir);

  // Synthetic Jest results and sidecars (sidecars written outside the timed region).
  const files = [];
  let numTests = 0;
  let numFailed = 0;
  let numSkipped = 0;
  let numFindings = 0;
  const startBase = Date.now();
  for (let f = 0; f < size.files; f++) {
    const rel = `src/module${String(f).padStart(3, '0')}/__tests__/feature${f}.test.js`;
    const testFilePath = path.join(dir, rel);
    const testResults = [];
    const sidecarTests = [];
    const withLeaks = f % 20 === 0; // 5% of files
    for (let t = 0; t < size.tests; t++) {
      const ancestorTitles = [`module ${f}`, `group ${Math.floor(t / 10)}`];
      const title = `does thing number ${t} with "quotes" & <angle brackets>`;
      const r = rand();
      const status = r < 0.02 ? 'failed' : r < 0.03 ? 'pending' : 'passed';
      if (status === 'failed') numFailed++;
      if (status === 'pending') numSkipped++;
      testResults.push({
        ancestorTitles,
        title,
        fullName: [...ancestorTitles, title].join(' '),
        status,
        duration: status === 'pending' ? null : Math.round(rand() * 40),
        invocations: 1,
        numPassingAsserts: 1,
        retryReasons: [],
        failureDetails: [],
        failureMessages:
          status === 'failed'
            ? [`Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: ${t}\nReceived: ${t + 1}\n    at ${stackFor(rel, 10 + t).join('\n    at ')}`]
            : [],
        location: {line: 10 + t * 4, column: 5},
      });
      if (withLeaks && t % 7 === 0) {
        const findings = [finding(rel, 'test', [...ancestorTitles, title], t, 12 + t * 4)];
        numFindings += findings.length;
        sidecarTests.push({titlePath: [...ancestorTitles, title], findings, memoryDeltaBytes: Math.round(rand() * 1e5)});
      } else {
        sidecarTests.push({titlePath: [...ancestorTitles, title], findings: []});
      }
    }
    numTests += testResults.length;
    const fileFindings = withLeaks ? [finding(rel, 'file', [], f, 3)] : [];
    numFindings += fileFindings.length;
    core.writeSidecar(runDir, {
      sidecarVersion: core.SIDECAR_VERSION,
      testPath: testFilePath,
      projectId: PROJECT_ID,
      rootDir: dir,
      options: {},
      findings: fileFindings,
      tests: sidecarTests,
      memory: {heapBeforeBytes: 9e6, heapAfterBytes: 9.2e6, growthBytes: 2e5},
      warnings: [],
      node: {version: process.version},
    });
    const failing = testResults.filter(x => x.status === 'failed').length;
    const start = startBase + f * 50;
    files.push({
      test: {context: {config: projectConfig, hasteFS: null, moduleMap: null, resolver: null}, path: testFilePath, duration: 50},
      result: {
        testFilePath,
        testResults,
        numFailingTests: failing,
        numPassingTests: testResults.filter(x => x.status === 'passed').length,
        numPendingTests: testResults.filter(x => x.status === 'pending').length,
        numTodoTests: 0,
        failureMessage: failing ? testResults.filter(x => x.status === 'failed').map(x => x.failureMessages[0]).join('\n') : null,
        testExecError: undefined,
        perfStats: {start, end: start + 45, runtime: 45, slow: false, loadTestEnvironmentStart: start, loadTestEnvironmentEnd: start + 1, setupFilesStart: start + 1, setupFilesEnd: start + 2, setupAfterEnvStart: start + 2, setupAfterEnvEnd: start + 3},
        leaks: false,
        openHandles: [],
        skipped: false,
        snapshot: {added: 0, fileDeleted: false, matched: 0, unchecked: 0, uncheckedKeys: [], unmatched: 0, updated: 0},
        console: undefined,
        displayName: undefined,
        coverage: undefined,
        sourceMaps: {},
      },
    });
  }

  const aggregated = {
    numFailedTestSuites: files.filter(x => x.result.numFailingTests > 0).length,
    numFailedTests: numFailed,
    numPassedTestSuites: files.filter(x => x.result.numFailingTests === 0).length,
    numPassedTests: numTests - numFailed - numSkipped,
    numPendingTestSuites: 0,
    numPendingTests: numSkipped,
    numRuntimeErrorTestSuites: 0,
    numTodoTests: 0,
    numTotalTestSuites: files.length,
    numTotalTests: numTests,
    openHandles: [],
    snapshot: {added: 0, didUpdate: false, failure: false, filesAdded: 0, filesRemoved: 0, filesRemovedList: [], filesUnmatched: 0, filesUpdated: 0, matched: 0, total: 0, unchecked: 0, uncheckedKeysByFile: [], unmatched: 0, updated: 0},
    startTime: startBase,
    success: numFailed === 0,
    testResults: [],
    wasInterrupted: false,
    runExecError: undefined,
  };

  return (async () => {
    const tFilesStart = performance.now();
    if (reporter.onRunStart) await reporter.onRunStart(aggregated, {estimatedTime: 0, showStatus: false});
    for (const {test, result} of files) {
      aggregated.testResults.push(result);
      if (reporter.onTestFileResult) await reporter.onTestFileResult(test, result, aggregated);
      else if (reporter.onTestResult) await reporter.onTestResult(test, result, aggregated);
    }
    const tFilesEnd = performance.now();
    const contexts = new Set([files[0].test.context]);
    // The terminal summary goes to stderr/stdout; keep it out of the numbers we parse.
    await reporter.onRunComplete(contexts, aggregated);
    const tDone = performance.now();
    const out = path.join(dir, 'leakwatch-report');
    const sizeOf = f => (fs.existsSync(path.join(out, f)) ? fs.statSync(path.join(out, f)).size : null);
    const result = {
      files: size.files,
      tests: numTests,
      findings: numFindings,
      constructMs: tConstructed - t0,
      onTestFileResultMs: tFilesEnd - tFilesStart,
      onRunCompleteMs: tDone - tFilesEnd,
      totalMs: tConstructed - t0 + (tDone - tFilesStart),
      bytes: {json: sizeOf('leakwatch.json'), junit: sizeOf('junit.xml'), html: sizeOf('report.html')},
      error: reporter.getLastError ? String(reporter.getLastError() || '') || undefined : undefined,
    };
    process.stdout.write(`\nRENDER_RESULT ${JSON.stringify(result)}\n`);
    const missing = Object.entries(result.bytes).filter(([, b]) => b == null).map(([k]) => k);
    if (missing.length) {
      console.error(`reporter did not write: ${missing.join(', ')}`);
      process.exitCode = 1;
    }
  })();
}

Promise.resolve()
  .then(main)
  .then(
    () => process.exit(),
    error => {
      console.error(error && error.stack ? error.stack : error);
      process.exit(1);
    },
  );
