import type {Finding, Severity, SourceLocation} from '../model';
import {findingId} from '../state/findingId';
import type {UnclosedRecord} from './trackResource';

export interface UnclosedFindingContext {
  /** Test file relative to rootDir. */
  file: string;
  severity: Severity | 'off';
  /** Rewrites stack frames (e.g. paths relative to rootDir) and finds the user frame. */
  formatStack?: (frames: string[]) => {stack: string[]; location?: SourceLocation};
}

/** An object collected while still open → an `unclosed-gc` finding for the scope that created it. */
export function unclosedToFinding(record: UnclosedRecord, context: UnclosedFindingContext): Finding | undefined {
  if (context.severity === 'off') return undefined;
  const formatted = context.formatStack ? context.formatStack(record.stack) : {stack: record.stack};
  const scope = record.owner?.scope ?? 'file';
  const scopePath = record.owner?.scopePath ?? [];
  const name = record.label ? `${record.resourceType} "${record.label}"` : record.resourceType;
  const fd = typeof record.details?.fd === 'number' ? ` (fd ${record.details.fd})` : '';
  const where = formatted.location ? ` created at ${formatted.location.file}:${formatted.location.line}` : '';
  const finding: Finding = {
    id: findingId([context.file, scope, ...scopePath, 'unclosed-gc', record.resourceType, formatted.stack[0] ?? '', String(record.details?.fd ?? '')]),
    kind: 'unclosed-gc',
    severity: context.severity,
    scope,
    scopePath: [...scopePath],
    resourceType: record.resourceType,
    message: `${name}${fd}${where} was garbage-collected without being closed`,
    stack: formatted.stack,
    details: {...record.details, ...(record.label ? {label: record.label} : {})},
  };
  if (formatted.location) finding.location = formatted.location;
  return finding;
}
