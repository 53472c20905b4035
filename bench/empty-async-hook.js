'use strict';
// Preloaded by bench/run.js's `stock-asynchook` configuration: an async_hooks `init` hook that
// does nothing. Where Node has no `createHook({trackPromises: false})` (Node < 24.14), any init
// hook switches on Node's promise hooks for every promise, and this measures what that alone
// costs a stock run.
require('node:async_hooks').createHook({init() {}}).enable();
