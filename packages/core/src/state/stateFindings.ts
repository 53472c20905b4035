import type {Finding, Scope, Severity} from '../model';
import {findingId} from './findingId';
import type {StateChange} from './snapshotState';

export interface FindingContext {
  /** Test file, relative to rootDir; part of the finding id. */
  file: string;
  scope: Scope;
  scopePath: string[];
  /** Severity per state kind; kinds missing here (or `off`) produce no finding. */
  severity: Partial<Record<StateChange['kind'], Severity | 'off'>>;
}

function arrow(before: string | undefined, after: string | undefined): string {
  return `${before ?? '(unset)'} → ${after ?? '(unset)'}`;
}

function describeChange(change: StateChange, where: string): {subject: string; resourceType: string; message: string} {
  switch (change.kind) {
    case 'global': {
      const verb = change.change === 'added' ? 'added' : change.change === 'deleted' ? 'deleted' : 'overwritten';
      const detail =
        change.change === 'added' ? `(${change.after ?? ''})` : change.change === 'deleted' ? `(was ${change.before ?? ''})` : `(${arrow(change.before, change.after)})`;
      return {
        subject: change.key,
        resourceType: 'globalThis',
        message: `Global "${change.key}" was ${verb} ${where} and not restored ${detail}`,
      };
    }
    case 'env': {
      const env = change.target === 'sandbox' ? 'process.env' : "the real process's env";
      const detail =
        change.change === 'added' ? `(= ${change.after ?? ''})` : change.change === 'deleted' ? `(was ${change.before ?? ''})` : `(${arrow(change.before, change.after)})`;
      return {
        subject: `${change.target}:${change.key}`,
        resourceType: change.target === 'sandbox' ? 'process.env' : 'process.env (real)',
        message: `${change.key} was ${change.change} in ${env} ${where} and not restored ${detail}`,
      };
    }
    case 'cwd':
      return {
        subject: 'cwd',
        resourceType: 'process.chdir',
        message: `process.cwd() changed ${where} and was not restored (${arrow(JSON.stringify(change.before), JSON.stringify(change.after))})`,
      };
    case 'process-listener': {
      const target = change.target === 'sandbox' ? 'process' : 'the real process';
      const names = change.listeners.join(', ');
      return {
        subject: `${change.target}:${change.event}`,
        resourceType: `process.on('${change.event}')`,
        message: `${change.added} "${change.event}" listener${change.added === 1 ? '' : 's'} (${names}) added to ${target} ${where} and not removed`,
      };
    }
  }
}

/** State changes → findings, one per changed key / event, skipping kinds set to `off`. */
export function stateChangesToFindings(changes: readonly StateChange[], context: FindingContext): Finding[] {
  const where = context.scope === 'test' ? 'by this test' : context.scope === 'describe' ? 'in this describe block' : 'in this file';
  const findings: Finding[] = [];
  for (const change of changes) {
    const severity = context.severity[change.kind];
    if (severity === undefined || severity === 'off') continue;
    const {subject, resourceType, message} = describeChange(change, where);
    const {kind, ...details} = change;
    findings.push({
      id: findingId([context.file, context.scope, ...context.scopePath, kind, subject]),
      kind,
      severity,
      scope: context.scope,
      scopePath: [...context.scopePath],
      resourceType,
      message,
      stack: [],
      details,
    });
  }
  return findings;
}
