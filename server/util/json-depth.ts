/**
 * Nesting depth of parsed JSON, without recursion (a 10,000-deep document must not overflow the
 * stack here either). Request bodies deeper than MAX_JSON_DEPTH are refused up front: a zonal
 * request echoes its features' `properties`, and JSON.stringify of a 10k-deep echo overflowed the
 * stack after the whole computation (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `limit` levels. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}
