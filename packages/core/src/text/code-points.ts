/**
 * Text helpers that make JavaScript agree with SQLite (BINARY collation, ASCII-only
 * LIKE folding) and PostgreSQL (`COLLATE "C"`, `translate`) on every string.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text has no NUL and no lone surrogate, so every database stores it unchanged. */
export function isCleanText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Lowercases ASCII letters only (`A`–`Z`), as SQLite's `lower()` and `LIKE` do. */
export function foldAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

/**
 * Compares by Unicode code point (= UTF-8 byte order), not by UTF-16 unit as `<` does.
 * NB: the two orders differ only for U+E000–U+FFFF against astral characters.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

// Moves surrogates above U+E000–U+FFFF so that unit order becomes code point order.
function fixup(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Splits text into code points (LIKE's `_` matches one code point). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}
