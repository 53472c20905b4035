/**
 * A value now, or a promise of it when the work had to wait. Jest's circus awaits whatever
 * an environment's `handleTestEvent` returns; returning a plain value for events that need no
 * waiting spares every test the promises and microtask turns of an async function per event.
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** `fn(value)`, synchronously when `value` is not a promise. */
export function then<T, U>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(value) ? value.then(fn) : fn(value);
}
