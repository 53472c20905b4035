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
export {resolveOptions, parseRegexLiteral, DEFAULT_SEVERITY, OPTION_KEYS} from './options';
export type {LeakwatchOptions, IgnoreRule, ResolvedOptions, ResolvedIgnoreRule, SeverityOption} from './options';
export {RUN_DIR_ENV, DEFAULT_OUTPUT_DIR, reporterRunDir, sidecarFileName, sidecarPath, writeSidecar, readSidecar} from './sidecar';
export type {SidecarReadResult} from './sidecar';
