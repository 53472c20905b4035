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
 * Sidecars (as JSON text) by path, for a reporter in this process: when Jest runs in band the
 * environment and the reporter share it, and the handoff needs no file. Workers are separate
 * processes without it, and write files. On the global: the environment and the reporter may
 * load different copies of this module.
 */
const IN_PROCESS_INBOX = Symbol.for('leakwatch.sidecarInbox');

type InboxHolder = {[IN_PROCESS_INBOX]?: Map<string, string>};

/** Called by a reporter: sidecars written in this process from now on stay in memory. */
export function acceptSidecarsInProcess(): void {
  (globalThis as InboxHolder)[IN_PROCESS_INBOX] ??= new Map();
}

function inProcessInbox(): Map<string, string> | undefined {
  return (globalThis as InboxHolder)[IN_PROCESS_INBOX];
}

/**
 * Hands the sidecar to a reporter in this process, or writes it to a temporary name and
 * renames it, so the reporter never reads half a file.
 */
export function writeSidecar(runDir: string, sidecar: FileSidecar): string {
  const target = sidecarPath(runDir, sidecar.projectId, sidecar.testPath);
  const inbox = inProcessInbox();
  if (inbox) {
    inbox.set(target, JSON.stringify(sidecar));
    return target;
  }
  fs.mkdirSync(runDir, {recursive: true});
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(sidecar));
  fs.renameSync(temp, target);
  return target;
}

export type SidecarReadResult =
  | {ok: true; sidecar: FileSidecar}
  | {ok: false; reason: 'missing' | 'unreadable'; message: string};

/** Reads (and, when it was handed over in memory, takes) the sidecar at `file`. */
export function readSidecar(file: string): SidecarReadResult {
  let text: string;
  const inbox = inProcessInbox();
  const handed = inbox?.get(file);
  try {
    if (handed !== undefined) inbox!.delete(file);
    text = handed ?? fs.readFileSync(file, 'utf8');
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
