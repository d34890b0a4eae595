import { AppError } from '@tandem/core';
import { fromJsonEscaped } from './xml-text.js';

/** A node of fast-xml-parser's ordered tree: an element (its name → children, `:@` → attributes) or text. */
export type XmlNode = Record<string, unknown>;

const TEXT = '#text';
const ATTRIBUTES = ':@';
const KNOWN_ATTRIBUTES = new Set(['type', 'encoding', 'key', 'keyEncoding']);
const MAX_PATH_ECHO = 200;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** One element, split into what the mapping reads. */
interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

/**
 * The JSON value of a parsed XML document under Tandem's mapping (docs/api.md#xml), the
 * inverse of `toXmlDocument`: exactly one root element, whose name is not read. Anything
 * outside the mapping is XML_INVALID, with the element's path in `data.path`.
 */
export function readXmlValue(document: readonly XmlNode[]): unknown {
  const roots = document.filter((node) => !(TEXT in node));
  if (roots.length !== 1) throw invalid('The XML must hold exactly one root element.', []);
  return readElement(toElement(roots[0]!), []);
}

function toElement(node: XmlNode): Element {
  const name = Object.keys(node).find((key) => key !== ATTRIBUTES)!;
  const attributes = (node[ATTRIBUTES] ?? {}) as Record<string, string>;
  return { name, attributes, children: node[name] as XmlNode[] };
}

function readElement(element: Element, path: string[]): unknown {
  checkAttributes(element, path);
  const type = element.attributes.type ?? (element.children.some(isElement) ? 'object' : 'string');
  switch (type) {
    case 'string':
      return readString(element, path);
    case 'number':
      return readNumber(textOf(element, path).trim(), path);
    case 'boolean':
      return readBoolean(textOf(element, path).trim(), path);
    case 'null':
      if (textOf(element, path).trim() !== '') throw invalid('A null element holds no text.', path);
      return null;
    case 'array':
      return readArray(element, path);
    case 'object':
      return readObject(element, path);
    default:
      throw invalid('Unknown type attribute.', path);
  }
}

function checkAttributes(element: Element, path: string[]): void {
  for (const name of Object.keys(element.attributes)) {
    // Namespace declarations are harmless and some writers always add them.
    if (!KNOWN_ATTRIBUTES.has(name) && name !== 'xmlns' && !name.startsWith('xmlns:'))
      throw invalid('An attribute outside the mapping (type, encoding, key, keyEncoding).', path);
  }
  const { encoding, keyEncoding } = element.attributes;
  if (encoding !== undefined && encoding !== 'json') throw invalid('encoding must be "json".', path);
  if (keyEncoding !== undefined && keyEncoding !== 'json') throw invalid('keyEncoding must be "json".', path);
}

function readString(element: Element, path: string[]): string {
  const text = textOf(element, path);
  if (element.attributes.encoding !== 'json') return text;
  const value = fromJsonEscaped(text);
  if (value === undefined) throw invalid('The text is no JSON-escaped string.', path);
  return value;
}

function readNumber(text: string, path: string[]): number {
  if (!JSON_NUMBER.test(text)) throw invalid('The text is no JSON number.', path);
  const value = Number(text);
  if (!Number.isFinite(value)) throw invalid('The number is out of range.', path);
  return value;
}

function readBoolean(text: string, path: string[]): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalid('A boolean is true or false.', path);
}

function readArray(element: Element, path: string[]): unknown[] {
  const items: unknown[] = [];
  for (const child of childElements(element, path)) {
    if (child.name !== 'item') throw invalid('Array items are <item> elements.', path);
    items.push(readElement(child, [...path, String(items.length)]));
  }
  return items;
}

function readObject(element: Element, path: string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const child of childElements(element, path)) {
    const key = keyOf(child, path);
    if (Object.hasOwn(object, key))
      throw invalid('A key is repeated (arrays are type="array" with <item> elements).', path);
    // NB: defineProperty, so that a `__proto__` key stays a key (the JSON checks refuse it later).
    Object.defineProperty(object, key, {
      value: readElement(child, [...path, key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

function keyOf(child: Element, path: string[]): string {
  const { key, keyEncoding } = child.attributes;
  if (key === undefined) {
    if (keyEncoding !== undefined) throw invalid('keyEncoding without key.', path);
    return child.name;
  }
  if (child.name !== 'entry') throw invalid('Only <entry> elements carry a key attribute.', path);
  if (keyEncoding !== 'json') return key;
  const decoded = fromJsonEscaped(key);
  if (decoded === undefined) throw invalid('The key is no JSON-escaped string.', path);
  return decoded;
}

/** The element's text (text and CDATA joined); child elements are refused. */
function textOf(element: Element, path: string[]): string {
  let text = '';
  for (const child of element.children) {
    if (!(TEXT in child)) throw invalid('A scalar element holds no child elements.', path);
    text += String(child[TEXT]);
  }
  return text;
}

/** The child elements of an object or array; text between them must be white space. */
function childElements(element: Element, path: string[]): Element[] {
  const elements: Element[] = [];
  for (const child of element.children) {
    if (isElement(child)) elements.push(toElement(child));
    else if (String(child[TEXT]).trim() !== '') throw invalid('Text beside child elements.', path);
  }
  return elements;
}

function isElement(node: XmlNode): boolean {
  return !(TEXT in node);
}

function invalid(message: string, path: string[]): AppError {
  // The path is the client's own keys, cut short so that an answer never grows with the body.
  return new AppError('XML_INVALID', message, { path: path.join('.').slice(0, MAX_PATH_ECHO) });
}
