/**
 * The few DER (ITU-T X.690) encoders an X.509 certificate needs. Each returns the
 * complete tag-length-value bytes.
 */

/** Encodes one element: tag, definite length, contents. */
export function derElement(tag: number, contents: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(contents.length), contents]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A SEQUENCE of already encoded elements. */
export const derSequence = (...items: Uint8Array[]): Buffer => derElement(0x30, Buffer.concat(items));

/** A SET of already encoded elements (callers pass one element, so no sorting is needed). */
export const derSet = (...items: Uint8Array[]): Buffer => derElement(0x31, Buffer.concat(items));

/** A non-negative INTEGER from its big-endian magnitude. */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  // NB: a leading bit of 1 would read as negative, so it gets a zero byte in front.
  return derElement(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** A small INTEGER. */
export const derSmallInteger = (value: number): Buffer => derUnsignedInteger(Buffer.from([value]));

/** An OBJECT IDENTIFIER from its dotted form. */
export function derOid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return derElement(0x06, Buffer.from(bytes));
}

/** A BOOLEAN. */
export const derBoolean = (value: boolean): Buffer => derElement(0x01, Buffer.from([value ? 0xff : 0]));

/** An OCTET STRING. */
export const derOctetString = (bytes: Uint8Array): Buffer => derElement(0x04, bytes);

/** A BIT STRING whose last byte has `unusedBits` padding bits. */
export const derBitString = (bytes: Uint8Array, unusedBits = 0): Buffer =>
  derElement(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));

/** A UTF8String. */
export const derUtf8 = (text: string): Buffer => derElement(0x0c, Buffer.from(text, 'utf8'));

/** A UTCTime before 2050, a GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050
    ? derElement(0x17, Buffer.from(iso.slice(2)))
    : derElement(0x18, Buffer.from(iso));
}

/** A context-specific `[n] EXPLICIT` tag wrapped around an encoded element. */
export const derExplicit = (n: number, inner: Uint8Array): Buffer => derElement(0xa0 | n, inner);

/** A context-specific `[n] IMPLICIT` primitive: the contents of a primitive under tag n. */
export const derImplicitPrimitive = (n: number, contents: Uint8Array): Buffer => derElement(0x80 | n, contents);
