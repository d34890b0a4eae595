/** What JSON must escape in a string (quote, backslash, control characters), and surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as the JSON text `JSON.stringify` gives it, quoted as is when nothing in it
 * needs escaping (the usual case for a method, a path or an id). NB: a string with any
 * surrogate goes to JSON.stringify, which escapes a lone one as `\udXXX`: UTF-8 cannot
 * encode it, and it would otherwise reach a file as U+FFFD.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A number as JSON text: `null` for one JSON cannot show, as JSON.stringify writes it. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
