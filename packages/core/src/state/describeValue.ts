/** Short, single-line rendering of a value for a finding message (never throws, never calls user getters). */
export function renderValue(value: unknown, max = 80): string {
  try {
    switch (typeof value) {
      case 'undefined':
        return 'undefined';
      case 'string': {
        const json = JSON.stringify(value);
        return json.length > max ? `${json.slice(0, max - 4)}..."` : json;
      }
      case 'number':
      case 'boolean':
        return String(value);
      case 'bigint':
        return `${value}n`;
      case 'symbol':
        return value.toString();
      case 'function':
        return `[Function ${(value as {name?: unknown}).name || '(anonymous)'}]`;
      default: {
        if (value === null) return 'null';
        if (Array.isArray(value)) return `[Array(${value.length})]`;
        const ctor = constructorName(value as object);
        return `[object ${ctor}]`;
      }
    }
  } catch {
    return '[unrenderable]';
  }
}

export function constructorName(value: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null) return 'null-prototype';
    const desc = Object.getOwnPropertyDescriptor(proto, 'constructor');
    const ctor: unknown = desc && 'value' in desc ? desc.value : undefined;
    const name = typeof ctor === 'function' ? ctor.name : '';
    return name || 'Object';
  } catch {
    return 'Object';
  }
}

/** Env keys whose values must never reach a report. */
export const DEFAULT_SECRET_PATTERN =
  /pass(word|wd)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|auth|credential|session|cookie|signature|(^|[-_])key$/i;

export const REDACTED = '[redacted]';
