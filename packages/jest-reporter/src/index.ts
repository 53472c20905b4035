import {LeakwatchReporter} from './LeakwatchReporter';

export default LeakwatchReporter;
export {LeakwatchReporter, loadClientBundle} from './LeakwatchReporter';
export type {ReporterDeps} from './LeakwatchReporter';
export {resolveReporterOptions, REPORTER_OPTION_KEYS, REPORTER_DEFAULTS, ENV_OVERRIDES} from './options';
export type {ReporterOptions, ResolvedReporterOptions, JUnitProfile} from './options';
export {buildFileRecord, buildRunReport, summarize} from './buildReport';
export type {JestAssertionLike, JestFileResultLike} from './buildReport';
export {renderJson} from './renderJson';
export {renderJUnit, DEFAULT_JUNIT_OPTIONS} from './renderJUnit';
export type {JUnitOptions} from './renderJUnit';
export {renderHtml} from './renderHtml';
export type {HtmlOptions} from './renderHtml';
export {renderTerminalSummary, renderHangSummary} from './renderTerminalSummary';
export type {TerminalSummaryOptions} from './renderTerminalSummary';
