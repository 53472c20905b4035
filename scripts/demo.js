#!/usr/bin/env node
// Runs the example project under Leakwatch and says where the report is.
// The example has leaky tests on purpose, so Jest exits 1; the demo succeeds when the
// run produced a report that names those leaks.
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const exampleDir = path.join(__dirname, '..', 'examples', 'http-service');
const reportDir = path.join(exampleDir, 'leakwatch-report');
// jest's exports map hides bin/; resolve the package, then its bin.
const jestBin = path.join(path.dirname(require.resolve('jest/package.json', {paths: [exampleDir]})), 'bin', 'jest.js');

fs.rmSync(reportDir, {recursive: true, force: true});
console.log(`$ jest  (in ${path.relative(process.cwd(), exampleDir) || '.'})\n`);
const run = spawnSync(process.execPath, [jestBin], {cwd: exampleDir, stdio: 'inherit'});

const jsonPath = path.join(reportDir, 'leakwatch.json');
if (!fs.existsSync(jsonPath)) {
  console.error(`\nDemo failed: Jest exited with ${run.status} and wrote no ${path.relative(process.cwd(), jsonPath)}.`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
const findings = report.summary.findings;
console.log(`\nJest exited with code ${run.status} (${findings} leak finding${findings === 1 ? '' : 's'}; the example leaks on purpose).`);
console.log('Reports:');
for (const name of ['report.html', 'junit.xml', 'leakwatch.json']) {
  const file = path.join(reportDir, name);
  if (fs.existsSync(file)) console.log(`  ${file}`);
}
if (findings === 0) {
  console.error('Demo failed: the example project is expected to leak.');
  process.exit(1);
}
