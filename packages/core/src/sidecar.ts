import {createHash} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {SIDECAR_VERSION, type FileSidecar} from './model';

/**
 * The environment (in a worker) and the reporter (in the main process) agree on a run
 * directory through this variable: the reporter's constructor sets it, and Jest forks its
 * workers after reporters are constructed, so they inherit it.
 */
export const RUN_DIR_ENV = 'LEAKWATCH_RUN_DIR';

/** Name of a file's sidecar: the same test path in two projects gets two sidecars. */
export function sidecarFileName(projectId: string, testPath: string): string {
  const hash = createHash('sha1').update(projectId).update('\0').update(testPath).digest('hex');
  return `${hash.slice(0, 20)}.json`;
}

export function sidecarPath(runDir: string, projectId: string, testPath: string): string {
  return path.join(runDir, sidecarFileName(projectId, testPath));
}

/**
 * Writes to a temporary name, then renames, so the reporter never reads half a file.
 * `fsImpl` lets the caller pass functions captured before any instrumentation.
 */
export function writeSidecar(runDir: string, sidecar: FileSidecar): string {
  const target = sidecarPath(runDir, sidecar.projectId, sidecar.testPath);
  fs.mkdirSync(runDir, {recursive: true});
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(sidecar));
  fs.renameSync(temp, target);
  return target;
}

export type SidecarReadResult =
  | {ok: true; sidecar: FileSidecar}
  | {ok: false; reason: 'missing' | 'unreadable'; message: string};

export function readSidecar(file: string): SidecarReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {ok: false, reason: 'missing', message: `no sidecar at ${file}`};
    return {ok: false, reason: 'unreadable', message: `cannot read sidecar ${file}: ${String(error)}`};
  }
  try {
    const value = JSON.parse(text) as Partial<FileSidecar>;
    if (value.sidecarVersion !== SIDECAR_VERSION || !Array.isArray(value.tests) || !Array.isArray(value.findings)) {
      return {ok: false, reason: 'unreadable', message: `sidecar ${file} has an unexpected shape`};
    }
    return {ok: true, sidecar: value as FileSidecar};
  } catch (error) {
    return {ok: false, reason: 'unreadable', message: `sidecar ${file} is not valid JSON: ${String(error)}`};
  }
}

/** Default report directory, relative to rootDir. */
export const DEFAULT_OUTPUT_DIR = 'leakwatch-report';

/**
 * Where sidecars for one run go when the reporter is configured with `outputDir`
 * (relative to rootDir). The environment uses the same function as a fallback when the
 * environment variable did not reach it, so both sides agree without talking.
 */
export function reporterRunDir(rootDir: string, outputDir: string = DEFAULT_OUTPUT_DIR): string {
  return path.join(path.resolve(rootDir, outputDir), '.sidecars');
}
