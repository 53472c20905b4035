import * as fs from 'node:fs';
import * as path from 'node:path';
import {JEST_MAJORS, prepareWorkspaces, projectDir} from './workspace';

/**
 * Packs the workspaces and (re)installs the per-Jest-major scratch projects once per run.
 * LEAKWATCH_E2E_REUSE_INSTALL=1 keeps whatever is installed (for iterating on fixtures
 * while the packages are being rebuilt); CI never sets it.
 */
export default function globalSetup(): void {
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`[leakwatch e2e] ${line}\n`);
  if (process.env.LEAKWATCH_E2E_REUSE_INSTALL === '1' && JEST_MAJORS.every(major => fs.existsSync(path.join(projectDir(major), 'node_modules/.leakwatch-e2e-install')))) {
    log('LEAKWATCH_E2E_REUSE_INSTALL=1: using the existing installs, not repacking');
    return;
  }
  prepareWorkspaces(log);
  log(`workspaces ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
