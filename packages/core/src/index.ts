export {
  SCHEMA_VERSION,
  SIDECAR_VERSION,
  FINDING_KINDS,
  HANDLE_KINDS,
  SEVERITIES,
  SCOPES,
} from './model';
export type {
  FindingKind,
  HandleKind,
  Severity,
  Scope,
  SourceLocation,
  Finding,
  MemorySample,
  HeapGrowthEntry,
  MemoryRecord,
  TestStatus,
  TestRecord,
  FileStatus,
  LeakStatus,
  FileRecord,
  Summary,
  RunReport,
  SidecarTest,
  FileSidecar,
} from './model';
export {LeakwatchError, describeValue} from './errors';
export type {LeakwatchErrorCode} from './errors';
export {resolveOptions, parseRegexLiteral, settleBudget, CONNECTION_SETTLE_MS, DEFAULT_SEVERITY, OPTION_KEYS} from './options';
export type {LeakwatchOptions, IgnoreRule, ResolvedOptions, ResolvedIgnoreRule, SeverityOption} from './options';
export {RUN_DIR_ENV, DEFAULT_OUTPUT_DIR, acceptSidecarsInProcess, reporterRunDir, sidecarFileName, sidecarPath, writeSidecar, readSidecar} from './sidecar';
export type {SidecarReadResult} from './sidecar';
export {trackResources} from './tracker/trackResources';
export {isPromise, then as thenMaybe} from './util/maybePromise';
export type {MaybePromise} from './util/maybePromise';
export type {Tracker, TrackerOptions, Owner, OwnerScope, Liveness, ResourceRecord, SettleOptions, SettledResource} from './tracker/trackResources';
export {describeLeak, isRunnerMade, isToolOnly, severityFor} from './tracker/toFinding';
export type {FindingContext, DescribedLeak} from './tracker/toFinding';
export {captureStack, parseStack, parseFrame, locateFrame, visibleFrames, toRelative, toLocation, relativeFrameText, registerToolRoot} from './tracker/stack';
export type {StackHolder, StackFrame} from './tracker/stack';
export {TRACKED_TYPES} from './tracker/classify';

// Memory probe, heap snapshot diff, state snapshots and watchState (issue #4).
export {MemoryProbe, DEFAULT_MEMORY_SETTINGS, MiB} from './memory/MemoryProbe';
export type {MemoryProbeSettings, MemoryProbeDeps, MemoryMeasurement} from './memory/MemoryProbe';
export {getGc, readHeapBytes, readDataHeapBytes, collectUntilStable, nextTurn} from './memory/gc';
export type {GcFunction, HeapSampler, SettledReading} from './memory/gc';
export {summarizeHeap, summarizeSnapshot, diffHeapSummaries} from './memory/heapSnapshot';
export type {HeapSummary} from './memory/heapSnapshot';
export {resolveMemoryOptions} from './memory/memoryOptions';
export type {MemoryOptions} from './memory/memoryOptions';
export {createStateSnapshotter} from './state/snapshotState';
export type {StateSnapshotter, StateSnapshotterOptions, StateSnapshot, SnapshotDepth, StateChange, StateKind, StateTarget, ProcessLike} from './state/snapshotState';
export {StateMonitor} from './state/StateMonitor';
export type {StateMonitorOptions} from './state/StateMonitor';
export {stateChangesToFindings} from './state/stateFindings';
export {watchState, getStateWatchers, serializeState, diffSerializedState, STATE_WATCHERS_KEY} from './state/watchState';
export type {StateGetter, SerializedState, SerializeOptions, StatePathChange} from './state/watchState';
export {resolveStateOptions} from './state/stateOptions';
export type {StateOptions, ResolvedStateOptions} from './state/stateOptions';
export {findingId} from './state/findingId';
export {measureLeak, expectNoLeak, describeVerdict, leakMatchers, MemoryLeakError} from './memory/expectNoLeak';
export type {LeakCheckOptions, LeakVerdict} from './memory/expectNoLeak';
export {theilSenSlope, mannKendall, olsSlope, normalCdf} from './memory/stats';
export {GcTracker, trackResource, getGcTracker, installGcTracker, GC_TRACKER_KEY} from './gc/trackResource';
export type {TrackResourceOptions, TrackOwner, UnclosedRecord, GcTrackerOptions} from './gc/trackResource';
export {watchFileHandleGc} from './gc/fileHandleWarnings';
export type {FdOrigin} from './gc/fileHandleWarnings';
export {unclosedToFinding} from './gc/unclosedFindings';
export type {UnclosedFindingContext} from './gc/unclosedFindings';
export {FileProbes} from './probes/FileProbes';
export type {FileProbesOptions, ProbeSink, ProbeEvent, ProbeState, ProbeTest} from './probes/FileProbes';
