/**
 * What XML 1.0 can carry as it is, and how Tandem writes what it cannot. Element names
 * are kept to ASCII XML names so that every XML library reads them alike; any other key
 * travels in a `key` attribute. Text that holds characters XML 1.0 cannot carry (C0
 * controls but tab and line feed, U+FFFE, U+FFFF, unpaired surrogates) or that a parser
 * would rewrite (a carriage return becomes a line feed, XML 1.0 §2.11) is written as the
 * inside of a JSON string literal instead, marked `encoding="json"`.
 */

// NB: `xml…` names are reserved by XML 1.0 §2.3; parsers throw on the JavaScript names
// that would reach a prototype (fast-xml-parser refuses them as element names).
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const NOT_PLAIN_TEXT =
  /[\x00-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ESCAPED_TEXT = /[&<>]/g;
const ESCAPED_ATTRIBUTE = /[&<>"]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
// JSON.stringify leaves these two as they are, and XML 1.0 cannot carry them.
const NON_CHARACTERS = /[\uFFFE\uFFFF]/g;

/** True when a key can be an element name of its own (else it travels in a `key` attribute). */
export function isPlainName(key: string): boolean {
  return PLAIN_NAME.test(key) && !/^xml/i.test(key) && !RESERVED_NAMES.has(key);
}

/** True when a string can be written as XML text as it is, and read back unchanged. */
export function isPlainText(text: string): boolean {
  return !NOT_PLAIN_TEXT.test(text);
}

/** The text as element content: `&`, `<` and `>` escaped. */
export function escapeText(text: string): string {
  return text.replace(ESCAPED_TEXT, (c) => ENTITY[c]!);
}

/** The text as a double-quoted attribute value. */
export function escapeAttribute(text: string): string {
  return text.replace(ESCAPED_ATTRIBUTE, (c) => ENTITY[c]!);
}

/** The inside of the JSON string literal of `text`: only characters XML 1.0 carries as they are. */
export function toJsonEscaped(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(NON_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** The string a JSON-escaped text stands for, or undefined when it is no JSON string literal's inside. */
export function fromJsonEscaped(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${text}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
