/** Freezes a checked definition all the way down (Maps and Sets by their values), so nothing that holds it can change it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map || value instanceof Set) {
      for (const v of value.values()) deepFreeze(v);
      Object.freeze(value);
      return value;
    }
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
