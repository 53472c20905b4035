/**
 * Packs the three published packages and installs them, like a user would, into one
 * scratch project per Jest major under test/.work/jest<major>/. Installs are reused while
 * a hash of (tarball contents + dependency list + node/npm versions) is unchanged.
 */
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** LEAKWATCH_E2E_WORK_DIR moves the scratch projects, e.g. so two checkouts' runs don't share them. */
export const WORK_DIR = process.env.LEAKWATCH_E2E_WORK_DIR ? path.resolve(process.env.LEAKWATCH_E2E_WORK_DIR) : path.join(REPO_ROOT, 'test/.work');
export const PACKS_DIR = path.join(WORK_DIR, 'packs');

export type JestMajor = 29 | 30;
export const JEST_MAJORS: readonly JestMajor[] = [29, 30];

/** Registry dependencies of each scratch project, besides the three tarballs. */
export const JEST_DEPENDENCIES: Record<JestMajor, Record<string, string>> = {
  29: {
    jest: '29.7.0',
    'jest-environment-node': '29.7.0',
    '@jest/reporters': '29.7.0',
    '@jest/globals': '29.7.0',
    'ts-jest': '^29.4.15',
    typescript: '~5.9.3',
    '@types/node': '^20.19.0',
  },
  30: {
    jest: '^30.5.2',
    'jest-environment-node': '^30.5.2',
    '@jest/reporters': '^30.5.2',
    '@jest/globals': '^30.5.2',
    'ts-jest': '^29.4.15',
    typescript: '~5.9.3',
    '@types/node': '^20.19.0',
  },
};

export const WORKSPACES = ['@leakwatch/core', 'jest-environment-leakwatch', '@leakwatch/jest-reporter'] as const;

/**
 * No "jest" in the directory name: Jest 30 drops every stack frame under a path segment
 * containing "jest" followed by `node_modules/` from failure output, which would hide the
 * installed packages' frames that the tests check for.
 */
export function projectDir(major: JestMajor): string {
  return path.join(WORK_DIR, `v${major}`);
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * `npm pack` of the built workspaces (`npm run build` is assumed done). Each tarball is
 * renamed after its content hash, so a changed package changes the dependency spec and
 * npm replaces exactly that package on the next install.
 */
export function packWorkspaces(): Record<string, string> {
  for (const name of WORKSPACES) {
    const pkgDir = path.join(REPO_ROOT, 'packages', name === '@leakwatch/core' ? 'core' : name === '@leakwatch/jest-reporter' ? 'jest-reporter' : 'jest-environment');
    const main = path.join(pkgDir, (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {main: string}).main);
    if (!fs.existsSync(main)) {
      throw new Error(`${name} is not built (${main} is missing); run \`npm run build\` first.`);
    }
  }
  const stage = path.join(PACKS_DIR, 'stage');
  fs.rmSync(stage, {recursive: true, force: true});
  fs.mkdirSync(stage, {recursive: true});
  const out = execFileSync(
    'npm',
    ['pack', '--json', ...WORKSPACES.flatMap(w => ['--workspace', w]), '--pack-destination', stage],
    {cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']},
  );
  const packed = JSON.parse(out) as Array<{name: string; filename: string}>;
  const tarballs: Record<string, string> = {};
  for (const {name, filename} of packed) {
    const file = path.join(stage, path.basename(filename));
    const hash = sha(fs.readFileSync(file)).slice(0, 12);
    const target = path.join(PACKS_DIR, `${path.basename(filename, '.tgz')}-${hash}.tgz`);
    if (!fs.existsSync(target)) fs.renameSync(file, target);
    tarballs[name] = target;
  }
  fs.rmSync(stage, {recursive: true, force: true});
  // Every build makes new tarball names; drop old ones (not the last hour's: another
  // session may be about to install its own).
  const current = new Set(Object.values(tarballs));
  for (const entry of fs.readdirSync(PACKS_DIR)) {
    const file = path.join(PACKS_DIR, entry);
    if (entry.endsWith('.tgz') && !current.has(file) && Date.now() - fs.statSync(file).mtimeMs > 3_600_000) fs.rmSync(file, {force: true});
  }
  for (const name of WORKSPACES) {
    if (!tarballs[name]) throw new Error(`npm pack did not produce a tarball for ${name}`);
  }
  return tarballs;
}

function versionOf(cmd: string): string {
  return execFileSync(cmd, ['--version'], {encoding: 'utf8'}).trim();
}

/**
 * Makes test/.work/jest<major>/ a fresh user project with Jest <major> and the tarballs
 * installed. Returns quickly when nothing that goes into the install has changed.
 */
export function installJestProject(major: JestMajor, tarballs: Record<string, string>, log: (line: string) => void = () => {}): string {
  const dir = projectDir(major);
  fs.mkdirSync(path.join(dir, 'scenarios'), {recursive: true});
  const dependencies: Record<string, string> = {...JEST_DEPENDENCIES[major]};
  for (const [name, file] of Object.entries(tarballs)) {
    dependencies[name] = `file:${path.relative(dir, file).split(path.sep).join('/')}`;
  }
  const manifest = {
    name: `leakwatch-e2e-jest${major}`,
    private: true,
    description: 'Scratch project written by test/helpers/workspace.ts; safe to delete.',
    dependencies,
  };
  const key = sha(
    JSON.stringify({
      dependencies,
      tarballs: Object.values(tarballs).map(file => sha(fs.readFileSync(file))),
      node: process.version,
      npm: versionOf('npm'),
    }),
  );
  const stampFile = path.join(dir, 'node_modules/.leakwatch-e2e-install');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === key) {
    log(`jest${major}: install is up to date`);
    return dir;
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`jest${major}: npm install`);
  const started = Date.now();
  // flock: other sessions on this machine may be installing too; npm's cache is shared.
  // Install scripts are not needed by anything here, so npm 11's script blocking is fine.
  execFileSync(
    'flock',
    ['/tmp/npm.lock', 'npm', 'install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    {cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10 * 60_000},
  );
  fs.writeFileSync(stampFile, key);
  log(`jest${major}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Packs once and installs every Jest major; what the e2e globalSetup calls. */
export function prepareWorkspaces(log: (line: string) => void = () => {}): void {
  const tarballs = packWorkspaces();
  for (const major of JEST_MAJORS) installJestProject(major, tarballs, log);
}
