import { XMLParser } from 'fast-xml-parser';
import { AppError, MAX_JSON_DEPTH } from '@tandem/core';
import { readXmlValue, type XmlNode } from './xml-reader.js';

/**
 * The deepest element nesting read: JSON's bound, plus the root element and a leaf, so
 * that a value at JSON's bound still parses and gets JSON's own answer (JSON_TOO_DEEP).
 */
export const MAX_XML_DEPTH = MAX_JSON_DEPTH + 2;

const DECLARATIONS = /<!DOCTYPE|<!ENTITY/i;
const CDATA_START = '<![CDATA[';
const CDATA_END = ']]>';
// XML 1.0 §2.2: characters no document may hold (raw); references are checked apart.
const FORBIDDEN_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*)?;?/g;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const FOREIGN_ENCODING = /^\s*<\?xml[^>]*\bencoding\s*=\s*["'](?!utf-?8["'])/i;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// One parser for every request: its options are fixed, and a parse keeps no state on it.
// Entities: the five predefined ones and character references only (`htmlEntities` set to
// XML's own five turns character references on); no DTD is ever read, see `checkText`.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // NB: typed as a boolean, but the parser takes a table of named entities here too.
  htmlEntities: { amp: '&', apos: "'", gt: '>', lt: '<', quot: '"' } as unknown as boolean,
  maxNestedTags: MAX_XML_DEPTH,
  // Keep names such as `toString` as they are: nodes are read with Object.keys, never merged.
  onDangerousProperty: (name: string) => name,
});

/**
 * Parses an XML request body into the JSON value it stands for (docs/api.md#xml), with
 * the bounds every body has: invalid UTF-8, characters XML forbids, undefined entities
 * and malformed XML are XML_INVALID; a `<!DOCTYPE` or `<!ENTITY` anywhere is refused
 * before parsing (XML_DTD_FORBIDDEN: no DTD, so no external entity and no entity
 * expansion); more elements than `maxElements` is XML_TOO_LARGE, counted before parsing;
 * nesting beyond MAX_XML_DEPTH is XML_TOO_DEEP. The caller applies JSON's own checks to
 * the value. An empty body is no body (undefined).
 * @example const body = parseXmlDocument(bytes, 200_000);
 */
export function parseXmlDocument(bytes: Uint8Array, maxElements: number): unknown {
  let text = decodeUtf8(bytes);
  if (text.trim() === '') return undefined;
  checkText(text, maxElements);
  // XML 1.0 §2.11: a parser hands on every CR LF and lone CR as one LF.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return readXmlValue(parseTree(text));
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new AppError('XML_INVALID', 'The XML is not valid UTF-8.');
  }
}

function checkText(text: string, maxElements: number): void {
  if (DECLARATIONS.test(text)) throw new AppError('XML_DTD_FORBIDDEN');
  if (countTags(text, maxElements) > maxElements)
    throw new AppError('XML_TOO_LARGE', `The XML holds more than ${maxElements} elements.`, {
      maxValues: maxElements,
    });
  if (FORBIDDEN_CHARACTERS.test(text)) throw new AppError('XML_INVALID', 'The XML holds a character XML forbids.');
  if (FOREIGN_ENCODING.test(text)) throw new AppError('XML_INVALID', 'The XML must be UTF-8.');
  checkReferences(text.includes(CDATA_START) ? withoutCdata(text) : text);
}

/**
 * The start tags in the text, up to `limit + 1`: every `<` but those of end tags,
 * comments, CDATA and processing instructions. It may count a `<` inside a comment or
 * CDATA section as well, which only ever errs on the side of refusing.
 */
function countTags(text: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf('<'); at !== -1 && count <= limit; at = text.indexOf('<', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next !== SLASH && next !== BANG && next !== QUESTION) count++;
  }
  return count;
}

/**
 * The text without its CDATA sections, whose `&` are plain characters. NB: a loop of
 * `indexOf`, not a lazy regular expression: many unclosed sections would make the
 * expression rescan the rest of the body for each one (quadratic).
 */
function withoutCdata(text: string): string {
  let out = '';
  let from = 0;
  for (let start = text.indexOf(CDATA_START); start !== -1; start = text.indexOf(CDATA_START, from)) {
    const end = text.indexOf(CDATA_END, start + CDATA_START.length);
    if (end === -1) throw new AppError('XML_INVALID', 'The XML is not well-formed.');
    out += text.slice(from, start);
    from = end + CDATA_END.length;
  }
  return out + text.slice(from);
}

/** Every `&` starts a predefined entity or a reference to a character XML allows (§4.1). */
function checkReferences(text: string): void {
  if (!text.includes('&')) return;
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1];
    if (name === undefined || !match[0].endsWith(';')) throw invalidReference();
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!isXmlCharacter(code)) throw invalidReference();
    } else if (!PREDEFINED.has(name)) throw invalidReference();
  }
}

function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function invalidReference(): AppError {
  return new AppError('XML_INVALID', 'The XML refers to an entity or character that is not defined.');
}

function parseTree(text: string): XmlNode[] {
  try {
    return parser.parse(text, true) as XmlNode[];
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message.includes('Maximum nested tags')) throw new AppError('XML_TOO_DEEP');
    throw new AppError('XML_INVALID', 'The XML is not well-formed.');
  }
}
