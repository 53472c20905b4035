import type {Finding, Severity} from '../model';
import {findingId} from './findingId';
import {createStateSnapshotter, type SnapshotDepth, type StateChange, type StateSnapshot, type StateSnapshotterOptions} from './snapshotState';
import {stateChangesToFindings} from './stateFindings';
import {diffSerializedState, getStateWatchers, serializeState, type SerializedState, type StatePathChange} from './watchState';

export interface StateMonitorOptions extends StateSnapshotterOptions {
  /** Test file relative to rootDir (part of finding ids). */
  file: string;
  /** Severity per kind (`global`, `env`, `cwd`, `process-listener`, `state`); `off` skips the kind. */
  severity: Partial<Record<StateChange['kind'] | 'state', Severity | 'off'>>;
}

/** Paths listed in one `state` finding's message; all of them (up to 100) are in details. */
const MESSAGE_PATHS = 5;
const DETAIL_PATHS = 100;

/**
 * Per-file driver of the state snapshot: the environment calls `fileStart` at run_start,
 * `testStart`/`testEnd` around each test and `fileEnd` at run_finish. Test-scoped findings
 * name the test whose run changed the state; `fileEnd` reports what changed outside tests
 * (module scope, beforeAll/afterAll) and was still changed at the end, without repeating
 * what a test already reported.
 */
export class StateMonitor {
  readonly warnings: string[] = [];
  private readonly snapshotter;
  private readonly options: StateMonitorOptions;
  private fileSnapshot: StateSnapshot | undefined;
  private fileWatched = new Map<string, SerializedState>();
  private testSnapshot: StateSnapshot | undefined;
  private testWatched = new Map<string, SerializedState>();
  /** The last test's end state: the next test's start when nothing ran in between. */
  private lastEnd: {snapshot: StateSnapshot; watched: Map<string, SerializedState>} | undefined;
  private readonly reported = new Set<string>();

  constructor(options: StateMonitorOptions) {
    this.options = options;
    const severity = options.severity;
    const on = (kind: keyof StateMonitorOptions['severity']): boolean => severity[kind] !== undefined && severity[kind] !== 'off';
    this.snapshotter = createStateSnapshotter({
      ...options,
      check: {global: on('global'), env: on('env'), cwd: on('cwd'), 'process-listener': on('process-listener')},
    });
  }

  fileStart(): void {
    this.lastEnd = undefined;
    this.fileSnapshot = this.safeTake('file');
    this.fileWatched = this.serializeWatched();
    // The file's start is also the first test's, if nothing runs in between (see testStart).
    const view = this.fileSnapshot ? this.snapshotter.testView(this.fileSnapshot) : undefined;
    if (view) this.lastEnd = {snapshot: view, watched: this.fileWatched};
  }

  /**
   * `continuing`: nothing ran since the previous `testEnd`, or since `fileStart` for the first
   * test (the caller's guarantee), so that reading is this test's start and the one costly
   * snapshot per test is saved.
   */
  testStart(continuing = false): void {
    const previous = this.lastEnd;
    this.lastEnd = undefined;
    if (continuing && previous) {
      this.testSnapshot = previous.snapshot;
      this.testWatched = previous.watched;
      return;
    }
    this.testSnapshot = this.safeTake('test');
    this.testWatched = this.serializeWatched();
  }

  /** Findings for the test that just finished (`scopePath` = its title path). */
  testEnd(scopePath: string[]): Finding[] {
    const before = this.testSnapshot;
    this.testSnapshot = undefined;
    this.lastEnd = undefined;
    if (!before) return [];
    const after = this.safeTake('test');
    if (!after) return [];
    const watched = this.serializeWatched();
    this.lastEnd = {snapshot: after, watched};
    // The usual test: the snapshot found nothing changed and nothing is watched.
    if (after === before && watched.size === 0 && this.testWatched.size === 0) return [];
    return this.toFindings(before, after, this.testWatched, watched, 'test', scopePath);
  }

  /** Findings for changes made outside tests and never undone. */
  fileEnd(): Finding[] {
    this.lastEnd = undefined;
    const before = this.fileSnapshot;
    if (!before) return [];
    const after = this.safeTake('file');
    if (!after) return [];
    return this.toFindings(before, after, this.fileWatched, this.serializeWatched(), 'file', []);
  }

  private toFindings(
    before: StateSnapshot,
    after: StateSnapshot,
    watchedBefore: Map<string, SerializedState>,
    watchedAfter: Map<string, SerializedState>,
    scope: 'test' | 'file',
    scopePath: string[],
  ): Finding[] {
    let changes: StateChange[];
    try {
      changes = this.snapshotter.diff(before, after, this.fileSnapshot);
    } catch (error) {
      this.warnings.push(`state snapshot comparison failed: ${(error as Error)?.message ?? String(error)}`);
      changes = [];
    }
    const fresh = changes.filter(change => this.markReported(changeKey(change)));
    const findings = stateChangesToFindings(fresh, {
      file: this.options.file,
      scope,
      scopePath,
      severity: this.options.severity,
    });
    const severity = this.options.severity.state;
    if (severity !== undefined && severity !== 'off') {
      for (const [name, previous] of watchedBefore) {
        const current = watchedAfter.get(name);
        if (!current) continue;
        const paths = diffSerializedState(previous, current);
        if (paths.length === 0 || !this.markReported(`state\u0000${name}\u0000${current.hash}`)) continue;
        findings.push(stateFinding(this.options.file, scope, scopePath, name, paths, severity));
      }
    }
    return findings;
  }

  /** True the first time a change (by subject and resulting value) is seen in this file. */
  private markReported(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  private safeTake(depth: SnapshotDepth): StateSnapshot | undefined {
    try {
      return this.snapshotter.take(depth);
    } catch (error) {
      this.warnings.push(`state snapshot failed: ${(error as Error)?.message ?? String(error)}`);
      return undefined;
    }
  }

  private serializeWatched(): Map<string, SerializedState> {
    const result = new Map<string, SerializedState>();
    const severity = this.options.severity.state;
    if (severity === undefined || severity === 'off') return result;
    for (const [name, getter] of getStateWatchers(this.options.global)) {
      try {
        result.set(name, serializeState(getter()));
      } catch (error) {
        this.warnings.push(`watchState("${name}") getter threw: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return result;
  }
}

function changeKey(change: StateChange): string {
  switch (change.kind) {
    case 'global':
      return `global\u0000${change.key}\u0000${change.change}\u0000${change.after ?? ''}`;
    case 'env':
      return `env\u0000${change.target}\u0000${change.key}\u0000${change.change}\u0000${change.after ?? ''}`;
    case 'cwd':
      return `cwd\u0000${change.after}`;
    case 'process-listener':
      return `listener\u0000${change.target}\u0000${change.event}\u0000${change.listeners.join(',')}`;
  }
}

function renderPathChange(change: StatePathChange): string {
  if (change.before === undefined) return `${change.path}: added ${change.after ?? ''}`;
  if (change.after === undefined) return `${change.path}: removed (was ${change.before})`;
  return `${change.path}: ${change.before} → ${change.after}`;
}

function stateFinding(
  file: string,
  scope: 'test' | 'file',
  scopePath: string[],
  name: string,
  paths: StatePathChange[],
  severity: Severity,
): Finding {
  const where = scope === 'test' ? 'by this test' : 'in this file';
  const shown = paths.slice(0, MESSAGE_PATHS).map(renderPathChange).join('; ');
  const more = paths.length > MESSAGE_PATHS ? `; and ${paths.length - MESSAGE_PATHS} more` : '';
  return {
    id: findingId([file, scope, ...scopePath, 'state', name]),
    kind: 'state',
    severity,
    scope,
    scopePath: [...scopePath],
    resourceType: 'watchState',
    message: `Watched state "${name}" was changed ${where} and not restored: ${shown}${more}`,
    stack: [],
    details: {name, changedPaths: paths.length, changes: paths.slice(0, DETAIL_PATHS)},
  };
}
