import { escapeAttribute, escapeText, isPlainName, isPlainText, toJsonEscaped } from './xml-text.js';

/** The media type of Tandem's XML answers. */
export const XML_TYPE = 'application/xml; charset=utf-8';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * The XML document of a JSON value (Tandem's mapping, docs/api.md#xml): one element per
 * value, named after its key; strings are bare text, every other kind says so in a
 * `type` attribute (`number`, `boolean`, `null`, `array`, and `object` when empty);
 * array items are `<item>` elements; keys that are no plain XML name travel as
 * `<entry key="…">`. `readXmlValue` reads it back to a value deep-equal to `value`.
 * @example toXmlDocument({ id: 'a1', n: 2 }, 'record') // <record><id>a1</id><n type="number">2</n></record>
 */
export function toXmlDocument(value: unknown, rootName: string): string {
  const out: string[] = [DECLARATION];
  writeValue(out, rootName, '', value);
  return out.join('');
}

/** Writes one element: `name` is its tag name, `attributes` its key attributes (with a leading space). */
function writeValue(out: string[], name: string, attributes: string, value: unknown): void {
  if (typeof value === 'string') return writeString(out, name, attributes, value);
  if (value === null) return void out.push(`<${name}${attributes} type="null"/>`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return void out.push(`<${name}${attributes} type="null"/>`);
    return writeScalar(out, name, attributes, 'number', numberText(value));
  }
  if (typeof value === 'boolean') return writeScalar(out, name, attributes, 'boolean', String(value));
  if (Array.isArray(value)) return writeArray(out, name, attributes, value);
  if (typeof value === 'object') return writeObject(out, name, attributes, value as Record<string, unknown>);
  // Callers hand in parsed JSON; anything else is written as JSON.stringify writes it in an array.
  out.push(`<${name}${attributes} type="null"/>`);
}

function writeString(out: string[], name: string, attributes: string, value: string): void {
  if (!isPlainText(value))
    return void out.push(`<${name}${attributes} encoding="json">${escapeText(toJsonEscaped(value))}</${name}>`);
  out.push(value === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${escapeText(value)}</${name}>`);
}

function writeScalar(out: string[], name: string, attributes: string, type: string, text: string): void {
  out.push(`<${name}${attributes} type="${type}">${text}</${name}>`);
}

function writeArray(out: string[], name: string, attributes: string, items: unknown[]): void {
  if (items.length === 0) return void out.push(`<${name}${attributes} type="array"/>`);
  out.push(`<${name}${attributes} type="array">`);
  for (const item of items) writeValue(out, 'item', '', item);
  out.push(`</${name}>`);
}

function writeObject(out: string[], name: string, attributes: string, object: Record<string, unknown>): void {
  const keys = Object.keys(object).filter((key) => object[key] !== undefined);
  if (keys.length === 0) return void out.push(`<${name}${attributes} type="object"/>`);
  out.push(`<${name}${attributes}>`);
  for (const key of keys) {
    if (isPlainName(key)) writeValue(out, key, '', object[key]);
    else writeValue(out, 'entry', keyAttributes(key), object[key]);
  }
  out.push(`</${name}>`);
}

function keyAttributes(key: string): string {
  // NB: parsers normalize tab and line feed in attribute values to spaces (XML 1.0 §3.3.3).
  if (isPlainText(key) && !/[\t\n]/.test(key)) return ` key="${escapeAttribute(key)}"`;
  return ` key="${escapeAttribute(toJsonEscaped(key))}" keyEncoding="json"`;
}

/** JSON's text of a finite number, keeping the sign of -0 (JSON.parse('-0') is -0 too). */
function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * The root element's name for an answer: `error` for an error body, `list` for
 * PocketBase's list envelope, `record` for a record, `response` for anything else.
 * Readers ignore it; it only names the document for people and schemas.
 */
export function rootNameOf(value: unknown, status: number): string {
  if (status >= 400) return 'error';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'response';
  if (Array.isArray((value as { items?: unknown }).items) && 'totalItems' in value && 'page' in value) return 'list';
  return 'collectionId' in value && 'id' in value ? 'record' : 'response';
}
