import LeakwatchEnvironment from './LeakwatchEnvironment';

export default LeakwatchEnvironment;
export {LeakwatchEnvironment, TestEnvironment, OPTIONS_KEY} from './LeakwatchEnvironment';
export {FILE_OPTIONS_PRAGMA} from './mergeFileOptions';
export type {LeakwatchOptions, IgnoreRule, SeverityOption} from '@leakwatch/core';
