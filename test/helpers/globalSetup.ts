import {prepareWorkspaces} from './workspace';

/** Packs the workspaces and (re)installs the per-Jest-major scratch projects once per run. */
export default function globalSetup(): void {
  const started = Date.now();
  prepareWorkspaces(line => process.stderr.write(`[leakwatch e2e] ${line}\n`));
  process.stderr.write(`[leakwatch e2e] workspaces ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
