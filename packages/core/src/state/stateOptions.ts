import {invalidOption} from '../errors';
import {isPlainObject, rejectUnknownKeys} from '../validate';

/** `testEnvironmentOptions.leakwatch.state`. */
export interface StateOptions {
  /** Global names a test may add or change (a trailing `*` matches a prefix). @default [] */
  allowGlobals?: string[];
}

export interface ResolvedStateOptions {
  /** `false` when `state: false`: no snapshots at all. */
  enabled: boolean;
  allowGlobals: string[];
}

/** Validates the `state` option: `false` turns state snapshots off, `true`/omitted = defaults. */
export function resolveStateOptions(input: unknown): ResolvedStateOptions {
  if (input === undefined || input === true) return {enabled: true, allowGlobals: []};
  if (input === false) return {enabled: false, allowGlobals: []};
  if (!isPlainObject(input)) throw invalidOption('state', input, 'a boolean or an object with allowGlobals');
  const record = input;
  rejectUnknownKeys('state', record, ['allowGlobals']);
  const allow = record.allowGlobals ?? [];
  if (!Array.isArray(allow) || allow.some(name => typeof name !== 'string' || name.length === 0)) {
    throw invalidOption('state.allowGlobals', allow, 'an array of global names such as ["myCache", "__APP_*"]');
  }
  return {enabled: true, allowGlobals: [...(allow as string[])]};
}
