/**
 * True when `JSON.stringify(value)` takes more than `maxBytes` bytes of UTF-8, decided
 * without serializing the value: a walk adds up the exact length of each part and stops
 * as soon as the sum passes the limit, so an oversized value costs no copy of itself.
 * NB: recursive; call it on values whose depth is already bounded.
 * @example if (jsonSizeExceeds(value, 1 << 20)) return tooLarge;
 */
export function jsonSizeExceeds(value: unknown, maxBytes: number): boolean {
  return jsonByteLength(value, maxBytes) > maxBytes;
}

// The characters JSON.stringify escapes (quote, backslash, controls, lone surrogates:
// any surrogate sends a string down the exact path).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\uD800-\uDFFF]/;

/**
 * The UTF-8 length of `JSON.stringify(value)` (0 when it serializes to nothing), or some
 * number above `limit` once the walk has passed it.
 */
function jsonByteLength(value: unknown, limit: number): number {
  switch (typeof value) {
    case 'string':
      return stringByteLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4; // NaN and Infinity become null
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return value === null ? 4 : containerByteLength(value, limit);
    default:
      return 0; // undefined, functions and symbols serialize to nothing
  }
}

function containerByteLength(value: object, limit: number): number {
  // Values with their own JSON form (a Date) are measured as what they turn into.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  return Array.isArray(value)
    ? arrayByteLength(value, limit)
    : objectByteLength(value as Record<string, unknown>, limit);
}

function arrayByteLength(items: readonly unknown[], limit: number): number {
  let total = 2 + Math.max(items.length - 1, 0); // brackets and commas
  for (let i = 0; i < items.length && total <= limit; i++) {
    // Inside an array, what serializes to nothing becomes null.
    total += jsonByteLength(items[i], limit - total) || 4;
  }
  return total;
}

function objectByteLength(object: Record<string, unknown>, limit: number): number {
  let total = 1; // the opening brace; each member adds its separator (comma or closing brace)
  for (const key in object) {
    const length = jsonByteLength(object[key], limit - total);
    if (length === 0) continue; // JSON.stringify leaves such members out
    total += stringByteLength(key) + 2 + length; // "key": and the separator
    if (total > limit) return total;
  }
  return Math.max(total, 2);
}

/** The UTF-8 length of a string as JSON text; only a string with escapes is serialized. */
function stringByteLength(text: string): number {
  return NEEDS_ESCAPE.test(text) ? Buffer.byteLength(JSON.stringify(text)) : Buffer.byteLength(text) + 2;
}

/**
 * True when a JSON value holds more than `maxValues` values (objects, arrays and scalars,
 * itself included); counting stops there. The count bounds the memory a parsed copy
 * takes, which for small objects is many times the size of their text.
 * NB: recursive; call it on values whose depth is already bounded.
 */
export function jsonValueCountExceeds(value: unknown, maxValues: number): boolean {
  return countValues(value, maxValues) > maxValues;
}

function countValues(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 1;
  let count = 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && count <= limit; i++) count += countValues(value[i], limit - count);
    return count;
  }
  for (const key in value) {
    count += countValues((value as Record<string, unknown>)[key], limit - count);
    if (count > limit) return count;
  }
  return count;
}
