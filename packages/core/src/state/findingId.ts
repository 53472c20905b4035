import {createHash} from 'node:crypto';

/** Stable finding id from the parts that identify it (file, scope path, kind, subject). */
export function findingId(parts: readonly string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
