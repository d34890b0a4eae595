/**
 * True when `JSON.stringify(value)` takes more than `maxBytes` bytes of UTF-8. A value
 * that is certainly too large is refused from a walk that allocates nothing and stops
 * as soon as it passes the limit; only a value that may fit is serialized for the exact
 * figure, so the serialization never costs more than about `maxBytes`.
 * NB: recursive; call it on values whose depth is already bounded.
 * @example if (jsonSizeExceeds(value, 1 << 20)) return tooLarge;
 */
export function jsonSizeExceeds(value: unknown, maxBytes: number): boolean {
  if (minimumJsonLength(value, maxBytes) > maxBytes) return true;
  return Buffer.byteLength(JSON.stringify(value) ?? '') > maxBytes;
}

/**
 * A lower bound of the serialized length: exact for ASCII text without escapes, short
 * for numbers (one character) and for values with their own `toJSON` (none counted).
 * Stops adding once past `limit`.
 */
function minimumJsonLength(value: unknown, limit: number): number {
  // Every UTF-16 unit is at least one UTF-8 byte; escapes only add.
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 1;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return 0;
  return Array.isArray(value) ? minimumArrayLength(value, limit) : minimumObjectLength(value as Record<string, unknown>, limit);
}

function minimumArrayLength(items: readonly unknown[], limit: number): number {
  let total = 2 + Math.max(items.length - 1, 0); // brackets and commas
  for (let i = 0; i < items.length && total <= limit; i++) total += minimumJsonLength(items[i], limit - total);
  return total;
}

function minimumObjectLength(object: Record<string, unknown>, limit: number): number {
  let total = 1; // the opening brace; each member adds its separator (comma or closing brace)
  for (const key in object) {
    const item = object[key];
    // JSON.stringify leaves these members out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    total += key.length + 4 + minimumJsonLength(item, limit - total); // "key": and the separator
    if (total > limit) return total;
  }
  return Math.max(total, 2);
}
