'use strict';
/**
 * Loaded with NODE_OPTIONS=--require into a Jest process (CLI and workers): counts the
 * AsyncLocalStorage instances enabled in this process and how many are still enabled when it
 * exits, and appends `{pid, storageList, enabled, stillEnabled}` as one JSON line to $ASYNC_STORAGE_PROBE_LOG.
 * Node < 24 keeps every enabled storage on a list that each new promise walks.
 */
const fs = require('node:fs');
const {AsyncLocalStorage} = require('node:async_hooks');

const log = process.env.ASYNC_STORAGE_PROBE_LOG;
const prototype = AsyncLocalStorage.prototype;
if (log && typeof prototype._enable !== 'function') {
  // Node >= 24 (AsyncContextFrame): no list, nothing to count.
  process.on('exit', () => fs.appendFileSync(log, `${JSON.stringify({pid: process.pid, storageList: false})}\n`));
} else if (log) {
  const seen = new Set();
  const enable = prototype._enable;
  prototype._enable = function _enable() {
    seen.add(this);
    return enable.call(this);
  };
  process.on('exit', () => {
    const stillEnabled = [...seen].filter(storage => storage.enabled).length;
    fs.appendFileSync(log, `${JSON.stringify({pid: process.pid, storageList: true, enabled: seen.size, stillEnabled})}\n`);
  });
}
