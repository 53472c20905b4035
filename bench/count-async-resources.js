'use strict';
// Preload (`node -r bench/count-async-resources.js …jest.js …`): counts the async resources a
// run creates, by type, and the callbacks that run as one (`before`), and prints them to stderr
// at exit. Its own init hook turns Node's promise hooks on, so it counts every promise.
const fs = require('node:fs');
const counts = {};
let callbacks = 0;
require('node:async_hooks')
  .createHook({
    init(_id, type) {
      counts[type] = (counts[type] ?? 0) + 1;
    },
    before() {
      callbacks++;
    },
  })
  .enable();
process.on('exit', () => fs.writeSync(2, `async resources: ${JSON.stringify(counts)}, callbacks run: ${callbacks}\n`));
