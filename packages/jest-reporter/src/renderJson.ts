import type {RunReport} from '@leakwatch/core';

/** leakwatch.json: the report as built (key order is fixed by construction), two-space indent. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
