/**
 * @jest-environment-options {"leakwatch": {"severity": {"server": "warn"}}}
 */
// A per-file override: servers are only a warning in this file.
const fs = require('node:fs');
const net = require('node:net');

test('a server leak is a warning in this file', () => {
  net.createServer().listen(0); // LEAK:override.server-warn
});

test('a file leak still fails', () => {
  fs.openSync(__filename, 'r'); // LEAK:override.file-error
});
