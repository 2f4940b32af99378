/**
 * `next` with every part that equals the same part of `previous` replaced by that part of
 * `previous`. Main sends a changed app in full; sharing what did not change keeps the identity
 * of unchanged processes, pods and permissions, so memoised components skip them.
 * For JSON-shaped data (what crosses the contract): plain objects, arrays and primitives.
 */
export function shareUnchanged<T>(previous: unknown, next: T): T {
  if (Object.is(previous, next)) return previous as T;
  if (Array.isArray(previous) && Array.isArray(next)) {
    let same = previous.length === next.length;
    const shared = next.map((item, index) => {
      const value = shareUnchanged(previous[index], item);
      if (value !== previous[index]) same = false;
      return value;
    });
    return (same ? previous : shared) as T;
  }
  if (isPlainObject(previous) && isPlainObject(next)) {
    const previousKeys = Object.keys(previous);
    const nextKeys = Object.keys(next);
    let same = previousKeys.length === nextKeys.length;
    const shared: Record<string, unknown> = {};
    for (const key of nextKeys) {
      const value = shareUnchanged(previous[key], next[key]);
      if (value !== previous[key] || !Object.hasOwn(previous, key)) same = false;
      shared[key] = value;
    }
    return (same ? previous : shared) as T;
  }
  return next;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
