import {LeakwatchError, invalidOption} from './errors';

/** Shared checks for option objects: one place, one message style. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkBoolean(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidOption(key, value, 'a boolean');
  return value;
}

export function checkNonNegativeNumber(key: string, value: unknown, expected = 'a non-negative number'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidOption(key, value, expected);
  return value;
}

export function checkIntegerInRange(key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(key, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Throws for the first key of `record` not in `validKeys`, naming `prefix.key` and the valid ones. */
export function rejectUnknownKeys(prefix: string | undefined, record: Record<string, unknown>, validKeys: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!validKeys.includes(key)) {
      throw new LeakwatchError(
        'LW_UNKNOWN_OPTION',
        `Leakwatch: unknown option "${prefix ? `${prefix}.` : ''}${key}". Valid options are: ${validKeys.join(', ')}.`,
      );
    }
  }
}
