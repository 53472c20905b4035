import {LeakwatchError, describeValue} from '@leakwatch/core';

/** Docblock pragma that adjusts the project's Leakwatch options for one file. */
export const FILE_OPTIONS_PRAGMA = 'leakwatch';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `/** @leakwatch {"severity": {"timer": "warn"}} *\/` over the project options:
 * objects (`severity`, `settleMsByKind`) merge key by key, `ignore` rules add up, other
 * values replace. (`@jest-environment-options {"leakwatch": …}` also works, with Jest's
 * own semantics: it replaces the whole `leakwatch` object.)
 */
export function mergeFileOptions(
  projectOptions: unknown,
  pragmas: Record<string, string | string[]>,
): unknown {
  const raw = pragmas[FILE_OPTIONS_PRAGMA];
  if (raw === undefined) return projectOptions;
  const texts = Array.isArray(raw) ? raw : [raw];
  let merged: unknown = projectOptions ?? {};
  for (const text of texts) {
    let override: unknown;
    try {
      override = JSON.parse(text);
    } catch (error) {
      throw new LeakwatchError(
        'LW_INVALID_OPTION',
        `Leakwatch: the @${FILE_OPTIONS_PRAGMA} docblock pragma must be a JSON object; received ${describeValue(text)} (${(error as Error).message}).`,
      );
    }
    if (!isPlainObject(override)) {
      throw new LeakwatchError(
        'LW_INVALID_OPTION',
        `Leakwatch: the @${FILE_OPTIONS_PRAGMA} docblock pragma must be a JSON object; received ${describeValue(override)}.`,
      );
    }
    if (!isPlainObject(merged)) return override;
    const next: Record<string, unknown> = {...merged};
    for (const [key, value] of Object.entries(override)) {
      const current = next[key];
      if (key === 'ignore' && Array.isArray(current) && Array.isArray(value)) next[key] = [...current, ...value];
      else if (isPlainObject(current) && isPlainObject(value)) next[key] = {...current, ...value};
      else next[key] = value;
    }
    merged = next;
  }
  return merged;
}
