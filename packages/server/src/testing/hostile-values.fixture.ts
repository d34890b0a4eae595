/**
 * Test-only: fast-check arbitraries of hostile input, independent of any route: strings
 * with NUL, lone surrogates and injection text, JSON text with prototype keys, wrong
 * types and deep nesting, raw bytes that are not UTF-8, and query strings with broken
 * percent-encoding. JSON is built as text, so that keys such as `__proto__` and escapes
 * such as `\ud800` reach the server exactly as written.
 */
import fc from 'fast-check';

/** Strings no well-behaved client sends. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ud83d',
  '\u202e',
  '\ufeff',
  '\uffff',
  '😀',
  'é',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  "' OR 1=1 --",
  '"; DROP TABLE posts; --',
  '%',
  '%00',
  '%ff',
  '\\',
  '\\u0000',
  '../../etc/passwd',
  '//',
  '/\\/',
  '${7*7}',
  '{{7*7}}',
  '<script>',
  '\r\n',
  '\n',
  '\t',
  ' padded ',
  'a'.repeat(300),
];

/** Sizes of long strings: past field limits, and large yet within the body limit. */
const LONG_LENGTHS = [5001, 65_536, 1_048_576];

/** A hostile string of modest length: a known nasty one, random code points (any plane), or a mix. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  {
    arbitrary: fc
      .array(fc.constantFrom(...NASTY_STRINGS), { minLength: 2, maxLength: 5 })
      .map((parts) => parts.join('')),
    weight: 2,
  },
);

/** A long run of one character (ASCII, two-byte, NUL or astral): past field limits, within the body limit. */
export const longString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...LONG_LENGTHS), fc.constantFrom('x', 'é', '\u0000', '😀'))
  .map(([n, c]) => c.repeat(n / c.length));

/** Keys that prototype-poisoning and mass-assignment attacks use. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
];

/** JSON text of a number, including ones JavaScript cannot hold exactly. */
const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    '-0',
    '1e308',
    '1e999',
    '-1e999',
    '5e-324',
    '1e-400',
    '9007199254740993',
    '123456789012345678901234567890',
    '0.1',
    '-1',
  ),
);

/** A JSON string literal (escapes as JSON.stringify writes them: `\u0000`, `\ud800`). */
export function jsonQuote(text: string): string {
  return JSON.stringify(text);
}

/** JSON text of any scalar. */
export function scalarText(strings: fc.Arbitrary<string> = hostileString): fc.Arbitrary<string> {
  return fc.oneof(numberText, strings.map(jsonQuote), fc.constantFrom('true', 'false', 'null'));
}

/**
 * JSON text of a value built from `keys` and `scalars`, a few levels deep; objects may
 * repeat a key (the parser keeps the last).
 */
export function jsonText(keys: fc.Arbitrary<string>, scalars: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalars, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    object: jsonObjectText(keys, tie('value')),
  })).value;
}

/** JSON text of an object with entries from `keys` and `values`. */
export function jsonObjectText(
  keys: fc.Arbitrary<string>,
  values: fc.Arbitrary<string>,
  maxKeys = 6,
): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(keys, values), { maxLength: maxKeys })
    .map((entries) => `{${entries.map(([k, v]) => `${jsonQuote(k)}:${v}`).join(',')}}`);
}

/** JSON text nested `depth` levels deep, as arrays or as objects. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(64, 1000, 5000, 10_000, 20_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Bytes that are not UTF-8: a stray continuation byte, 0xFF, an encoded surrogate, a cut sequence. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc
  .constantFrom([0xff], [0xfe, 0xff], [0x80], [0xed, 0xa0, 0x80], [0xc3], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82])
  .map((bytes) => Buffer.from(bytes));

/** A body that is not what it claims: broken JSON text, or JSON with bytes that are not UTF-8 inside a string. */
export const malformedBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":}',
    '{"a":1,}',
    "{'a':1}",
    '[1,2',
    'nul',
    '"\\ud800"',
    '\u0000',
    '{"a":"\\x00"}',
    '{"a":1}{"b":2}',
    '\ufeff{}',
  ),
  fc
    .tuple(invalidUtf8, fc.boolean())
    .map(([bad, inKey]) =>
      Buffer.concat([Buffer.from(inKey ? '{"' : '{"title":"'), bad, Buffer.from(inKey ? '":1}' : '"}')]),
    ),
);

/**
 * A query-string value as sent on the wire: the UTF-8 bytes of a string percent-encoded,
 * or raw text with broken escapes (`%`, `%zz`, an encoded surrogate, `%00`).
 */
export function queryValue(values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: values.map(percentEncode), weight: 5 },
    {
      arbitrary: fc.constantFrom('%', '%%', '%zz', '%ff%fe', '%ed%a0%80', '%00', '%c3', '+', '&', '=', '%2'),
      weight: 1,
    },
  );
}

/** Percent-encodes the UTF-8 of `text`; a lone surrogate is sent as U+FFFD, as any client must. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd'));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A query string (no `?`) from `params`: each a name and a value arbitrary; names may repeat, junk names appear. */
export function queryString(params: ReadonlyArray<readonly [string, fc.Arbitrary<string>]>): fc.Arbitrary<string> {
  const junkName = fc.constantFrom(...PROTOTYPE_KEYS, 'filter[]', 'sort[0]', 'a.b', '', '%00', 'perPage[]');
  const known = params.map(([name, values]) => values.map((value) => `${name}=${value}`));
  const junk = fc.tuple(junkName, hostileString).map(([name, value]) => `${name}=${percentEncode(value)}`);
  return fc
    .array(fc.oneof({ arbitrary: fc.oneof(...known), weight: 6 }, { arbitrary: junk, weight: 1 }), { maxLength: 5 })
    .map((pairs) => pairs.join('&'));
}

/** Text clipped to 300 characters, or bytes in hex: a value as one readable line. */
export function describeData(data: string | Buffer): string {
  return Buffer.isBuffer(data) ? `<bytes ${data.toString('hex')}>` : clip(data);
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}
