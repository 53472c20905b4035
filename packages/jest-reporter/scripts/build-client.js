#!/usr/bin/env node
// Bundles the HTML report's client (client/main.ts) into one IIFE that the reporter inlines
// into report.html. Run by `npm run build:client`; tests call bundleClient() directly.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** @returns {string} the minified client source */
function bundleClient() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'client', 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the report client');
  return file.text;
}

module.exports = {bundleClient};

if (require.main === module) {
  const out = path.join(root, 'dist', 'client.bundle.js');
  fs.mkdirSync(path.dirname(out), {recursive: true});
  fs.writeFileSync(out, bundleClient());
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)} (${fs.statSync(out).size} bytes)\n`);
}
