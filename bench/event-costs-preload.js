'use strict';
/**
 * Preload for bench/event-costs.js (node --require): wraps Leakwatch's classes as their built
 * modules load and writes the summed timings to $LEAKWATCH_EVENT_COSTS_OUT at exit.
 * Diagnostic only; nothing in Leakwatch knows about it.
 */
const fs = require('node:fs');
const Module = require('node:module');

const out = process.env.LEAKWATCH_EVENT_COSTS_OUT;
/** key → {calls, ms} */
const timings = new Map();

function add(key, started) {
  const ms = performance.now() - started;
  const entry = timings.get(key);
  if (entry) {
    entry.calls++;
    entry.ms += ms;
  } else {
    timings.set(key, {calls: 1, ms});
  }
}

function isThenable(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

/** Times `proto[name]`; `keyOf(args)` names the row (default `Class.method`). */
function wrapMethod(proto, className, name, keyOf) {
  const original = proto[name];
  if (typeof original !== 'function' || original.__eventCosts) return;
  const wrapped = function (...args) {
    const key = keyOf ? keyOf(args) : `${className}.${name}`;
    const started = performance.now();
    const result = original.apply(this, args);
    if (isThenable(result)) {
      return result.then(
        value => {
          add(`${key} (async)`, started);
          return value;
        },
        error => {
          add(`${key} (async)`, started);
          throw error;
        },
      );
    }
    add(key, started);
    return result;
  };
  wrapped.__eventCosts = true;
  proto[name] = wrapped;
}

/** Classes to time, by the built file that defines them; `keyOf` names a method's rows by its arguments. */
const targets = [
  {
    file: /(jest-environment-leakwatch|packages\/jest-environment)\/build\/LeakwatchEnvironment\.js$/,
    className: 'LeakwatchEnvironment',
    methods: ['handleTestEvent', 'teardown', 'checkTest', 'checkDescribe', 'checkFile', 'writeSidecar'],
    keyOf: {handleTestEvent: args => `event ${args[0]?.name}`},
  },
  {file: /jest-environment-node\/build\/index\.js$/, className: 'NodeEnvironment', methods: ['teardown']},
  {file: /core\/dist\/state\/StateMonitor\.js$/, className: 'StateMonitor', methods: ['fileStart', 'testStart', 'testEnd', 'fileEnd']},
  {file: /core\/dist\/memory\/MemoryProbe\.js$/, className: 'MemoryProbe', methods: ['fileStart', 'testStart', 'testEnd', 'fileEnd', 'afterTeardown']},
  {file: /core\/dist\/probes\/FileProbes\.js$/, className: 'FileProbes', methods: ['armContinuing', 'afterTeardown']},
  {file: /jest-reporter\/dist\/LeakwatchReporter\.js$/, className: 'LeakwatchReporter', methods: ['onTestFileResult', 'onRunComplete']},
];

const originalModuleLoad = Module.prototype.load;
Module.prototype.load = function (filename) {
  const result = originalModuleLoad.apply(this, arguments);
  const file = filename.split('\\').join('/');
  for (const target of targets) {
    if (!target.file.test(file)) continue;
    const cls = Object.values(this.exports ?? {}).find(value => typeof value === 'function' && value.name === target.className);
    if (!cls) continue;
    for (const name of target.methods) wrapMethod(cls.prototype, target.className, name, target.keyOf?.[name]);
  }
  return result;
};

process.on('exit', () => {
  if (!out) return;
  fs.writeFileSync(out, JSON.stringify(Object.fromEntries(timings)));
});
