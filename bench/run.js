#!/usr/bin/env node
'use strict';
/**
 * Leakwatch overhead benchmark (issue #5).
 *
 *   node bench/run.js [--smoke] [--shape a,b,c,d] [--runs N] [--no-warmup] [--workers N]
 *                     [--configs stock,leakwatch,detect,lw-nocleanup] [--profile] [--settle-probe] [--keep]
 *                     [--jest-root DIR] [--cold]
 *
 * Generates leak-free suites in bench/.work/<full|smoke>-<pid>/<shape>/ and runs each with the root's Jest in
 * these configurations, alternating them (ABCABC...) after one warm-up round:
 *   stock      testEnvironment jest-environment-node, reporters ['default']
 *   leakwatch  testEnvironment packages/jest-environment/build/index.js,
 *              reporters ['default', packages/jest-reporter/dist/index.js], default options
 *   detect     stock + --detectOpenHandles
 *   lw-nocleanup  leakwatch with `cleanup: false` (full runs only): Leakwatch's own cost. Its
 *              cleanup also releases the AsyncLocalStorage jest-circus 30 leaves enabled per
 *              file, which on Node < 24 makes every later promise slower, stock runs included;
 *              `leakwatch` gets that speed-up, this configuration does not.
 * Diagnostic variants for --configs: lw-nomem (memory: false), lw-nostate (state: false),
 * lw-handles (both false), lw-noreporter (environment only, reporters ['default']),
 * stock-asynchook (stock with an empty async_hooks `init` hook preloaded: what Node's promise
 * hooks alone cost, which any init hook switches on where `trackPromises: false` is missing),
 * leakwatch-base (default options, built in the checkout given by --base-root: before/after).
 * --jest-root DIR: another Jest install instead of the root's, e.g. test/.work/v29 (the e2e
 * tests' Jest 29 project). Jest, jest-environment-node and Leakwatch then all come from DIR's
 * node_modules (Leakwatch's environment extends that Jest's jest-environment-node), and the run
 * stops unless DIR's Leakwatch is the one built in packages/ (an e2e run reinstalls it).
 * --cold: as a CI run without a cached Jest cache directory: every run starts from an empty
 * cacheDirectory, and the suites go through Jest's default transform (babel-jest) instead of
 * `transform: {}`, so every file is transformed and written to the cache during the run.
 * Leakwatch's own files are not: installed from npm they sit in node_modules, which Jest's
 * default transformIgnorePatterns skip (here they are listed, since the root's workspace links
 * resolve to packages/).
 * Shape d is reporter-only: bench/render-report.js feeds the built reporter 10,000 synthetic
 * test results and times the JSON + JUnit + HTML output.
 *
 * Per run: wall time (hrtime around the child), CPU time (user+sys of the whole child tree,
 * from wait4() via /usr/bin/time, so Jest workers are included once they are reaped) and peak
 * RSS (ru_maxrss: the largest single process of the tree). Results: medians, min/max, IQR,
 * paired ratios per round; machine-readable in bench/.work/results.json (smoke runs:
 * bench/.work/results.smoke.json). The run directory is removed at the end unless a run
 * failed or --keep/--profile/--settle-probe was given.
 *
 * No timing assertions anywhere: this prints numbers, it never fails on them. It exits
 * non-zero only when a configuration fails to run (a crash, or a failed test in a suite that
 * is meant to pass), so `--smoke` in CI catches a broken harness or a broken environment.
 */
const {spawn, execFileSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {SIZES, DESCRIPTIONS, generate} = require('./shapes');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(__dirname, '.work');
/**
 * This run's own directory (suites, caches, logs, profiles): bench/.work/<full|smoke>-<pid>.
 * Concurrent runs (a CI smoke run while a full run is going) must not share generated suites.
 */
let RUN = path.join(WORK, `run-${process.pid}`);
/** --base-root: another checkout whose built Leakwatch runs as configuration `leakwatch-base`. */
let BASE_ROOT = null;
/** The Jest install measured (its node_modules/jest): the root's, or --jest-root's (see useJestRoot). */
let JEST_ROOT = ROOT;
/** `node` resolves from the suite's directory, which is inside this repo: pinned for --jest-root. */
let STOCK_ENV = 'node';
let LW_ENV = path.join(ROOT, 'packages/jest-environment/build/index.js');
let LW_REPORTER = path.join(ROOT, 'packages/jest-reporter/dist/index.js');
const TIME_BIN = '/usr/bin/time';
const RUN_TIMEOUT_MS = 5 * 60 * 1000;

// ------------------------------------------------------------------------ arguments
function parseArgs(argv) {
  const args = {smoke: false, shapes: null, runs: null, warmup: true, workers: null, configs: null, profile: false, cold: false};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq !== -1) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--smoke') args.smoke = true;
    else if (a.startsWith('--shape')) args.shapes = value().split(',').map(s => s.trim()).filter(Boolean);
    else if (a.startsWith('--runs')) args.runs = Number(value());
    else if (a === '--no-warmup') args.warmup = false;
    else if (a.startsWith('--workers')) args.workers = value();
    else if (a.startsWith('--configs')) args.configs = value().split(',').map(s => s.trim()).filter(Boolean);
    else if (a === '--profile') args.profile = true;
    else if (a === '--settle-probe') args.settleProbe = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--cold') args.cold = true;
    else if (a.startsWith('--base-root')) args.baseRoot = path.resolve(value());
    else if (a.startsWith('--jest-root')) args.jestRoot = path.resolve(value());
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  const shapes = args.shapes || ['a', 'b', 'c', 'd'];
  for (const s of shapes) if (!DESCRIPTIONS[s]) throw new Error(`unknown shape ${s} (a, b, c, d)`);
  args.shapes = shapes;
  if (args.runs == null) args.runs = args.smoke ? 1 : 5;
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs must be a positive integer');
  if (args.smoke && !argv.includes('--warmup')) args.warmup = false;
  const known = ['stock', 'leakwatch', 'detect', 'lw-nocleanup', 'lw-nomem', 'lw-nostate', 'lw-handles', 'lw-noreporter', 'stock-asynchook', 'leakwatch-base'];
  // Full runs also show Leakwatch's own cost without its cleanup (see lw-nocleanup above).
  args.configs = args.configs || known.slice(0, args.smoke ? 3 : 4);
  for (const c of args.configs) if (!known.includes(c)) throw new Error(`unknown config ${c} (${known.join(', ')})`);
  return args;
}

// ------------------------------------------------------------------------ statistics
function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function stats(values) {
  const xs = values.filter(v => Number.isFinite(v)).sort((x, y) => x - y);
  return {
    n: xs.length,
    median: quantile(xs, 0.5),
    min: xs[0],
    max: xs[xs.length - 1],
    q1: quantile(xs, 0.25),
    q3: quantile(xs, 0.75),
  };
}

// ------------------------------------------------------------------------ machine
function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown';
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', {encoding: 'utf8'}).trim()) || nproc;
  } catch {}
  const jestVersion = require(path.join(JEST_ROOT, 'node_modules/jest/package.json')).version;
  return {
    nproc,
    cpuModel: model,
    memTotalGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    jest: jestVersion,
    loadavgAtStart: os.loadavg().map(x => +x.toFixed(2)),
    git: gitState(),
  };
}

/** The commit measured, and whether the packages' sources differ from it (dist is built from the tree). */
function gitState() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: ROOT, encoding: 'utf8'}).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], {cwd: ROOT, encoding: 'utf8'}).trim();
    return {head, packagesDirty: dirty ? dirty.split('\n').length : 0};
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------ another Jest
/** The built files of a package directory, relative path → contents (build metadata left out). */
function builtFiles(dir) {
  const files = new Map();
  for (const rel of fs.readdirSync(dir, {recursive: true})) {
    const full = path.join(dir, rel);
    if (!rel.endsWith('.tsbuildinfo') && fs.statSync(full).isFile()) files.set(rel, fs.readFileSync(full));
  }
  return files;
}

function sameBuild(a, b) {
  const left = builtFiles(a);
  const right = builtFiles(b);
  return left.size === right.size && [...left].every(([rel, data]) => right.get(rel)?.equals(data) === true);
}

/**
 * Measures the Jest installed in `dir` (with its jest-environment-node) and the Leakwatch
 * installed there, which must be this checkout's build: a stale install would measure old code.
 */
function useJestRoot(dir) {
  const modules = path.join(dir, 'node_modules');
  const installed = {
    'packages/core/dist': path.join(modules, '@leakwatch/core/dist'),
    'packages/jest-environment/build': path.join(modules, 'jest-environment-leakwatch/build'),
    'packages/jest-reporter/dist': path.join(modules, '@leakwatch/jest-reporter/dist'),
  };
  for (const file of ['jest/bin/jest.js', 'jest-environment-node/package.json']) {
    if (!fs.existsSync(path.join(modules, file))) throw new Error(`--jest-root ${dir}: node_modules/${file} is missing`);
  }
  for (const [built, copy] of Object.entries(installed)) {
    if (!fs.existsSync(copy) || !sameBuild(path.join(ROOT, built), copy)) {
      throw new Error(
        `--jest-root ${dir}: ${path.relative(dir, copy)} is not this checkout's ${built}. Build, then let an e2e run reinstall it ` +
          '(e.g. `npm run build && npx jest --config test/jest.config.js test/e2e/__tests__/install.test.ts`).',
      );
    }
  }
  JEST_ROOT = dir;
  STOCK_ENV = path.dirname(require.resolve('jest-environment-node/package.json', {paths: [dir]}));
  LW_ENV = path.join(modules, 'jest-environment-leakwatch');
  LW_REPORTER = path.join(modules, '@leakwatch/jest-reporter');
}

// ------------------------------------------------------------------------ suites
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Leakwatch's packages in this checkout (and in --base-root's), as transformIgnorePatterns. */
function builtLeakwatchPatterns() {
  return [ROOT, ...(BASE_ROOT ? [BASE_ROOT] : [])].map(root => `^${escapeRegExp(path.join(root, 'packages') + path.sep)}`);
}

function writeConfigs(dir, shape, {cold}) {
  const cacheBase = path.join(RUN, 'cache', shape);
  const common = {
    rootDir: dir,
    testMatch: ['<rootDir>/__tests__/**/*.test.js'],
    // Cold runs keep Jest's default transform (babel-jest), as a project without a transform setting.
    // Leakwatch's own files are left untransformed there, as for a package installed from npm
    // (Jest's default ignore pattern skips node_modules). Without the root build's path listed,
    // babel-jest would transform them: the root's workspace links resolve outside node_modules.
    ...(cold ? {transformIgnorePatterns: ['/node_modules/', '\\.pnp\\.[^\\/]+$', ...builtLeakwatchPatterns()]} : {transform: {}}),
    watchman: false,
  };
  const stock = {...common, testEnvironment: STOCK_ENV, reporters: ['default'], cacheDirectory: path.join(cacheBase, 'stock')};
  const leakwatch = {
    ...common,
    testEnvironment: LW_ENV,
    reporters: ['default', LW_REPORTER],
    cacheDirectory: path.join(cacheBase, 'leakwatch'),
  };
  const detect = {...stock, cacheDirectory: path.join(cacheBase, 'detect')};
  // Diagnostic variants (only with --configs): which part of Leakwatch costs what.
  const variant = (name, lw, reporters = leakwatch.reporters) => ({
    ...leakwatch,
    reporters,
    testEnvironmentOptions: lw ? {leakwatch: lw} : {},
    cacheDirectory: path.join(cacheBase, name),
  });
  const variants = {
    'lw-nocleanup': variant('lw-nocleanup', {cleanup: false}),
    'lw-nomem': variant('lw-nomem', {memory: false}),
    'lw-nostate': variant('lw-nostate', {state: false}),
    'lw-handles': variant('lw-handles', {memory: false, state: false}),
    'lw-noreporter': variant('lw-noreporter', null, ['default']),
    'stock-asynchook': {...stock, cacheDirectory: path.join(cacheBase, 'stock-asynchook')},
  };
  if (BASE_ROOT) {
    // Before/after: the same defaults, built from another checkout (--base-root).
    variants['leakwatch-base'] = {
      ...leakwatch,
      testEnvironment: path.join(BASE_ROOT, 'packages/jest-environment/build/index.js'),
      reporters: ['default', path.join(BASE_ROOT, 'packages/jest-reporter/dist/index.js')],
      cacheDirectory: path.join(cacheBase, 'leakwatch-base'),
    };
  }
  const files = {};
  for (const [name, cfg] of Object.entries({stock, leakwatch, detect, ...variants})) {
    files[name] = path.join(dir, `jest.${name}.config.js`);
    fs.writeFileSync(files[name], `module.exports = ${JSON.stringify(cfg, null, 2)};\n`);
  }
  return files;
}

function commandFor(shape, config, dir, configFiles, args, label, nodeFlags = [], cacheDirectory = null) {
  if (shape === 'd') return [process.execPath, [...nodeFlags, path.join(__dirname, 'render-report.js'), dir]];
  // Node flags go on the command line (--cpu-prof is refused in NODE_OPTIONS); Jest's
  // workers are forked with process.execArgv, so they inherit them.
  const hookFlags = config === 'stock-asynchook' ? ['-r', path.join(__dirname, 'empty-async-hook.js')] : [];
  const argv = [...nodeFlags, ...hookFlags, path.join(JEST_ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--config', configFiles[config]];
  if (config === 'detect') argv.push('--detectOpenHandles');
  // Per-test durations (same cost in every configuration): isolates the in-test hot path.
  argv.push('--json', `--outputFile=${path.join(RUN, 'logs', `${shape}-${config}-${label}.jest.json`)}`);
  if (args.workers != null) argv.push(`--maxWorkers=${args.workers}`);
  if (cacheDirectory) argv.push(`--cacheDirectory=${cacheDirectory}`);
  return [process.execPath, argv];
}

// ------------------------------------------------------------------------ one measured run
function runOnce({shape, config, dir, configFiles, args, label, extraEnv, nodeFlags}) {
  // --cold: an empty cache directory of its own for every run.
  const coldCache = args.cold && shape !== 'd' ? path.join(RUN, 'cache-cold', `${shape}-${config}-${label}`) : null;
  if (coldCache) fs.rmSync(coldCache, {recursive: true, force: true});
  const [cmd, argv] = commandFor(shape, config, dir, configFiles, args, label, nodeFlags, coldCache);
  const logDir = path.join(RUN, 'logs');
  fs.mkdirSync(logDir, {recursive: true});
  const log = path.join(logDir, `${shape}-${config}-${label}.log`);
  const timeFile = path.join(logDir, `${shape}-${config}-${label}.time`);
  const reportDir = path.join(dir, 'leakwatch-report');
  fs.rmSync(reportDir, {recursive: true, force: true});
  fs.rmSync(timeFile, {force: true});
  const useTime = fs.existsSync(TIME_BIN);
  const out = fs.openSync(log, 'w');
  const env = {...process.env, FORCE_COLOR: '0', ...extraEnv};
  delete env.LEAKWATCH_RUN_DIR; // never inherit a run directory from an outer Jest
  return new Promise(resolve => {
    const start = process.hrtime.bigint();
    const child = useTime
      ? spawn(TIME_BIN, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...argv], {cwd: dir, env, stdio: ['ignore', out, out], detached: true})
      : spawn(cmd, argv, {cwd: dir, env, stdio: ['ignore', out, out], detached: true});
    // A hung run (e.g. a handle keeps Jest alive) is killed with its whole process group.
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      fs.closeSync(out);
      const result = {config, label, exitCode: code, signal, wallMs, cpuMs: NaN, peakRssMiB: NaN, log};
      if (useTime && fs.existsSync(timeFile)) {
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        const last = lines[lines.length - 1].trim().split(/\s+/).map(Number);
        if (last.length === 4 && last.every(Number.isFinite)) {
          result.cpuMs = (last[1] + last[2]) * 1000;
          result.peakRssMiB = last[3] / 1024;
        }
        // GNU time prefixes "Command exited with non-zero status N" when the child failed.
      }
      if (shape === 'd') {
        const text = fs.readFileSync(log, 'utf8');
        const m = text.match(/^RENDER_RESULT (.*)$/m);
        if (m) result.render = JSON.parse(m[1]);
      } else {
        Object.assign(result, readJestJson(path.join(RUN, 'logs', `${shape}-${config}-${label}.jest.json`)));
        if (config.startsWith('l')) result.leakwatch = readLeakwatchSummary(reportDir);
      }
      if (code !== 0) result.errorTail = tail(log, 40);
      resolve(result);
    });
  });
}

/** Sum of per-test durations and of per-file runtimes from Jest's --json output. */
function readJestJson(file) {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    let testTimeMs = 0;
    let fileRuntimeMs = 0;
    for (const f of j.testResults || []) {
      fileRuntimeMs += (f.endTime || 0) - (f.startTime || 0);
      for (const a of f.assertionResults || []) testTimeMs += a.duration || 0;
    }
    return {testTimeMs, fileRuntimeMs, numTotalTests: j.numTotalTests, numFailedTests: j.numFailedTests};
  } catch {
    return {testTimeMs: NaN, fileRuntimeMs: NaN};
  }
}

function readLeakwatchSummary(reportDir) {
  const file = path.join(reportDir, 'leakwatch.json');
  if (!fs.existsSync(file)) return {reportWritten: false};
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    const files = Array.isArray(report.files) ? report.files : [];
    const uninstrumented = files.filter(f => f && f.instrumented === false).length;
    const findings = [];
    for (const f of files) {
      for (const x of f.findings || []) findings.push({file: f.path, scope: x.scope, kind: x.kind, message: x.message});
      for (const t of f.tests || []) for (const x of t.findings || []) findings.push({file: f.path, test: t.fullName, kind: x.kind, message: x.message});
    }
    return {
      reportWritten: true,
      summary: report.summary,
      uninstrumentedFiles: uninstrumented,
      warnings: (report.warnings || []).slice(0, 5),
      sampleFindings: findings.slice(0, 5),
    };
  } catch (error) {
    return {reportWritten: true, error: String(error)};
  }
}

function tail(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

// ------------------------------------------------------------------------ formatting
const fmtMs = ms => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`) : 'n/a');
const fmtMiB = x => (Number.isFinite(x) ? `${Math.round(x)} MiB` : 'n/a');
const fmtRatio = x => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');
const range = (s, f) => (s.n > 1 ? `[${f(s.min)}–${f(s.max)}]` : '');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => String(r[i]).length)));
  return rows.map((r, j) => {
    const line = r.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
    return j === 0 ? `${line}\n${widths.map(w => '-'.repeat(w)).join('-|-')}` : line;
  }).join('\n');
}

// ------------------------------------------------------------------------ summarise
function summarise(shape, runs, configs) {
  const byConfig = {};
  for (const c of configs) {
    const rs = runs.filter(r => r.config === c && r.label !== 'warmup');
    const ok = rs.filter(r => r.exitCode === 0);
    byConfig[c] = {
      runs: rs.length,
      failedRuns: rs.length - ok.length,
      wallMs: stats(ok.map(r => r.wallMs)),
      cpuMs: stats(ok.map(r => r.cpuMs)),
      peakRssMiB: stats(ok.map(r => r.peakRssMiB)),
      testTimeMs: stats(ok.map(r => r.testTimeMs)),
      fileRuntimeMs: stats(ok.map(r => r.fileRuntimeMs)),
    };
    if (shape === 'd') {
      const renders = ok.map(r => r.render).filter(Boolean);
      if (renders.length) {
        byConfig[c].renderMs = stats(renders.map(r => r.totalMs));
        byConfig[c].renderPhases = renders[renders.length - 1];
      }
    }
  }
  const ratios = {};
  const labels = [...new Set(runs.filter(r => r.label !== 'warmup').map(r => r.label))];
  const pair = (num, den) => {
    const paired = {wallMs: [], cpuMs: [], peakRssMiB: [], testTimeMs: [], fileRuntimeMs: []};
    for (const label of labels) {
      const d = runs.find(r => r.config === den && r.label === label && r.exitCode === 0);
      const n = runs.find(r => r.config === num && r.label === label && r.exitCode === 0);
      if (!d || !n) continue;
      for (const k of Object.keys(paired)) paired[k].push(n[k] / d[k]);
    }
    ratios[`${num}/${den}`] = Object.fromEntries(Object.entries(paired).map(([k, v]) => [k, stats(v)]));
  };
  if (configs.includes('stock')) for (const c of configs.filter(x => x !== 'stock')) pair(c, 'stock');
  if (configs.includes('leakwatch') && configs.includes('leakwatch-base')) pair('leakwatch', 'leakwatch-base');
  return {byConfig, ratios};
}

function printShape(shape, summary) {
  const rows = [['config', 'wall median [min–max]', 'wall IQR', 'CPU median [min–max]', 'peak RSS median', 'Σ test time', 'runs ok', 'wall ratio (paired) [min–max]', 'CPU ratio', 'RSS ratio', 'Σ test ratio']];
  for (const [c, s] of Object.entries(summary.byConfig)) {
    const r = summary.ratios[`${c}/stock`];
    rows.push([
      c,
      `${fmtMs(s.wallMs.median)} ${range(s.wallMs, fmtMs)}`,
      s.wallMs.n > 1 ? `${fmtMs(s.wallMs.q1)}–${fmtMs(s.wallMs.q3)}` : '',
      `${fmtMs(s.cpuMs.median)} ${range(s.cpuMs, fmtMs)}`,
      fmtMiB(s.peakRssMiB.median),
      fmtMs(s.testTimeMs?.median),
      `${s.runs - s.failedRuns}/${s.runs}`,
      r ? `${fmtRatio(r.wallMs.median)} ${range(r.wallMs, fmtRatio)}` : '',
      r ? fmtRatio(r.cpuMs.median) : '',
      r ? fmtRatio(r.peakRssMiB.median) : '',
      r ? fmtRatio(r.testTimeMs.median) : '',
    ]);
  }
  console.log(table(rows));
  const ab = summary.ratios['leakwatch/leakwatch-base'];
  if (ab) console.log(`leakwatch / leakwatch-base (paired): wall ${fmtRatio(ab.wallMs.median)} ${range(ab.wallMs, fmtRatio)}, CPU ${fmtRatio(ab.cpuMs.median)} ${range(ab.cpuMs, fmtRatio)}`);
  const d = summary.byConfig.leakwatch?.renderMs;
  if (d) console.log(`render (in-process, JSON+JUnit+HTML): median ${fmtMs(d.median)} ${range(d, fmtMs)}; budget 2 s`);
}

// ------------------------------------------------------------------------ profiling
async function profile(shape, dir, configFiles, args) {
  const profDir = path.join(RUN, 'prof', shape);
  fs.rmSync(profDir, {recursive: true, force: true});
  const configs = shape === 'd' ? ['leakwatch'] : args.configs.filter(c => c !== 'detect');
  const out = {};
  for (const config of configs) {
    const cdir = path.join(profDir, config);
    fs.mkdirSync(cdir, {recursive: true});
    const nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${cdir}`];
    const r = await runOnce({shape, config, dir, configFiles, args, label: 'profile', nodeFlags});
    out[config] = {exitCode: r.exitCode, wallMs: r.wallMs, dir: cdir};
    console.log(`profile ${shape}/${config}: exit ${r.exitCode}, ${fmtMs(r.wallMs)}, profiles in ${path.relative(ROOT, cdir)}`);
  }
  const {summarizeDir} = require('./profile-summary');
  for (const config of configs) {
    console.log(`\ntop self time, ${shape}/${config}:`);
    console.log(summarizeDir(out[config].dir, {top: 25, root: ROOT}).text);
  }
  return out;
}

// ------------------------------------------------------------------------ settle probe
/** One extra Leakwatch run with bench/settle-probe.js preloaded: how long checks wait, and on what. */
async function settleProbe(shape, dir, configFiles, args) {
  const outFile = path.join(RUN, 'logs', `${shape}-settle.jsonl`);
  fs.rmSync(outFile, {force: true});
  const r = await runOnce({
    shape, config: 'leakwatch', dir, configFiles, args, label: 'settle-probe',
    nodeFlags: ['-r', path.join(__dirname, 'settle-probe.js')],
    extraEnv: {LEAKWATCH_BENCH_SETTLE_OUT: outFile, LEAKWATCH_BENCH_SETTLE_STACKS: '1'},
  });
  const lines = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
  const sum = {exitCode: r.exitCode, processes: lines.length, calls: 0, waited: 0, totalMs: 0, aliveAtStart: {}, recordsSeenByType: {}, creators: {}};
  for (const l of lines) {
    sum.calls += l.calls;
    sum.waited += l.waited;
    sum.totalMs += l.totalMs;
    for (const [k, v] of Object.entries(l.aliveAtStart || {})) {
      const e = (sum.aliveAtStart[k] = sum.aliveAtStart[k] || {count: 0, ms: 0, example: v.example});
      e.count += v.count;
      e.ms += v.ms;
    }
    for (const key of ['recordsSeenByType', 'creators']) for (const [k, v] of Object.entries(l[key] || {})) sum[key][k] = (sum[key][k] || 0) + v;
  }
  console.log(`settle probe ${shape}: ${sum.calls} checks, ${sum.waited} waited, ${fmtMs(sum.totalMs)} in checks; records by type ${JSON.stringify(sum.recordsSeenByType)}`);
  for (const [k, v] of Object.entries(sum.aliveAtStart).sort((a, b) => b[1].ms - a[1].ms).slice(0, 5)) {
    console.log(`  waited on ${k}: ${v.count}x, ${fmtMs(v.ms)} (checks overlapping) e.g. ${(v.example || []).filter(f => !f.includes('(node:')).slice(0, 2).join(' < ')}`);
  }
  return sum;
}

// ------------------------------------------------------------------------ main
async function main() {
  const args = parseArgs(process.argv.slice(2));
  RUN = path.join(WORK, `${args.smoke ? 'smoke' : 'full'}-${process.pid}`);
  BASE_ROOT = args.baseRoot || null;
  if (args.configs.includes('leakwatch-base') && !BASE_ROOT) throw new Error('leakwatch-base needs --base-root <checkout with built packages>');
  if (args.jestRoot) {
    // A base checkout's Leakwatch extends the root's Jest, not the one under --jest-root.
    if (BASE_ROOT) throw new Error('--jest-root and --base-root cannot be combined');
    useJestRoot(args.jestRoot);
  }
  fs.mkdirSync(RUN, {recursive: true});
  // Smoke runs (CI) never overwrite the numbers of a full run.
  const resultsFile = path.join(WORK, args.smoke ? 'results.smoke.json' : 'results.json');
  const sizes = SIZES[args.smoke ? 'smoke' : 'full'];
  const info = machine();
  const leakwatchBuilt = fs.existsSync(LW_ENV) && fs.existsSync(LW_REPORTER);
  let configs = args.configs.slice();
  if (!leakwatchBuilt && configs.some(c => c.startsWith('l'))) {
    console.warn(`warning: Leakwatch is not built (${path.relative(ROOT, LW_ENV)}); run \`npm run build\`. Skipping the Leakwatch configurations.`);
    configs = configs.filter(c => !c.startsWith('l'));
  }
  console.log(`Leakwatch bench: ${info.nproc} CPU (${info.cpuModel}), Node ${info.node}, Jest ${info.jest}; ` +
    `${args.smoke ? 'smoke sizes' : 'full sizes'}, ${args.runs} run(s) per configuration${args.warmup ? ' after a warm-up round' : ''}, ` +
    `${args.cold ? 'cold cache (empty cacheDirectory per run, babel-jest), ' : ''}` +
    `workers: ${args.workers ?? "Jest's default"}`);

  const results = {
    startedAt: new Date().toISOString(),
    machine: info,
    args: {...args},
    sizes,
    method: {
      order: 'one warm-up round (not counted), then rounds of stock, leakwatch, detect in that order',
      jestFlags: args.cold
        ? '--ci, an empty --cacheDirectory per run, Jest\'s default transform (babel-jest)'
        : '--ci, per-configuration cacheDirectory warmed by the warm-up round, transform: {}',
      wall: 'hrtime around the child process',
      cpu: 'user+sys of the child tree from wait4() (GNU time %U+%S)',
      peakRss: 'ru_maxrss (largest single process of the tree; GNU time %M)',
      testTime: 'sum of per-test durations from Jest --json (written in every configuration)',
    },
    shapes: {},
  };
  let failed = false;

  if (configs.includes('leakwatch')) {
    // Positive control: a leaky file must produce findings, or the numbers below mean nothing.
    const dir = path.join(RUN, 'control');
    generate('control', dir, {});
    const configFiles = writeConfigs(dir, 'control', args);
    const r = await runOnce({shape: 'control', config: 'leakwatch', dir, configFiles, args, label: 'control'});
    const n = r.leakwatch?.summary?.findings;
    results.positiveControl = {exitCode: r.exitCode, findings: n ?? null, expected: 2, kinds: r.leakwatch?.summary?.byKind};
    console.log(`positive control (2 known leaks): exit=${r.exitCode} findings=${n ?? 'no report'} ${JSON.stringify(r.leakwatch?.summary?.byKind ?? {})}`);
    if (n !== 2) console.warn(`warning: Leakwatch did not report exactly the 2 known leaks of the control suite; log ${path.relative(ROOT, r.log)}`);
  }

  for (const shape of args.shapes) {
    const dir = path.join(RUN, shape);
    generate(shape, dir, sizes[shape]);
    const configFiles = shape === 'd' ? {} : writeConfigs(dir, shape, args);
    const shapeConfigs = shape === 'd' ? (leakwatchBuilt ? ['leakwatch'] : []) : configs;
    console.log(`\n== shape ${shape}: ${DESCRIPTIONS[shape]} ${JSON.stringify(sizes[shape])}`);
    if (!shapeConfigs.length) {
      console.log('   nothing to run (the reporter is not built)');
      continue;
    }
    const runs = [];
    const labels = [...(args.warmup ? ['warmup'] : []), ...Array.from({length: args.runs}, (_, i) => `r${i + 1}`)];
    for (const label of labels) {
      for (const config of shapeConfigs) {
        const r = await runOnce({shape, config, dir, configFiles, args, label});
        runs.push(r);
        const extra = r.leakwatch?.summary ? ` findings=${r.leakwatch.summary.findings}` : r.leakwatch && !r.leakwatch.reportWritten ? ' (no leakwatch.json)' : '';
        const render = r.render ? ` render=${fmtMs(r.render.totalMs)}` : '';
        console.log(`  ${label.padEnd(6)} ${config.padEnd(9)} exit=${r.exitCode} wall=${fmtMs(r.wallMs)} cpu=${fmtMs(r.cpuMs)} rss=${fmtMiB(r.peakRssMiB)}${extra}${render}`);
        if (r.exitCode !== 0) {
          failed = true;
          console.log(`  !! ${shape}/${config} ${label} failed; log ${path.relative(ROOT, r.log)}; last lines:\n${r.errorTail.replace(/^/gm, '     ')}`);
        }
      }
    }
    const summary = summarise(shape, runs, shapeConfigs);
    results.shapes[shape] = {description: DESCRIPTIONS[shape], size: sizes[shape], configs: shapeConfigs, summary, runs};
    console.log('');
    printShape(shape, summary);
    if (args.profile) results.shapes[shape].profile = await profile(shape, dir, configFiles, args);
    if (args.settleProbe && shape !== 'd' && shapeConfigs.includes('leakwatch')) {
      results.shapes[shape].settleProbe = await settleProbe(shape, dir, configFiles, args);
    }
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  }

  results.finishedAt = new Date().toISOString();
  results.machine.loadavgAtEnd = os.loadavg().map(x => +x.toFixed(2));
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(RUN, 'results.json'), JSON.stringify(results, null, 2));
  console.log(`\nresults: ${path.relative(process.cwd(), resultsFile)}`);
  if (failed || args.keep || args.profile || args.settleProbe) {
    console.log(`suites, logs and profiles kept in ${path.relative(process.cwd(), RUN)}`);
  } else {
    fs.rmSync(RUN, {recursive: true, force: true});
  }
  if (failed) {
    console.error('one or more runs failed (see above)');
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error && error.stack ? error.stack : error);
  process.exitCode = 2;
});
