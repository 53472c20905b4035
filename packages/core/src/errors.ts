/**
 * Errors users see. Each says what was received, what was expected and how to fix it.
 */

export type LeakwatchErrorCode =
  | 'LW_INVALID_OPTION'
  | 'LW_UNKNOWN_OPTION'
  | 'LW_INVALID_IGNORE_RULE'
  | 'LW_SIDECAR_UNREADABLE'
  | 'LW_INTERNAL';

export class LeakwatchError extends Error {
  readonly code: LeakwatchErrorCode;
  constructor(code: LeakwatchErrorCode, message: string) {
    super(message);
    this.name = 'LeakwatchError';
    this.code = code;
    // Configuration errors are about the user's config, not our code: no frames into dist/.
    if (code !== 'LW_INTERNAL') this.stack = `${this.name}: ${message}`;
  }
}

/** Formats a received value for an error message: short, JSON where possible. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value instanceof RegExp) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function invalidOption(key: string, value: unknown, expected: string): LeakwatchError {
  return new LeakwatchError(
    'LW_INVALID_OPTION',
    `Leakwatch: option "${key}" must be ${expected}; received ${describeValue(value)}.`,
  );
}


export function internalError(what: string): LeakwatchError {
  return new LeakwatchError('LW_INTERNAL', `Leakwatch: ${what}. This is a bug in Leakwatch.`);
}
