import { createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 36 below 256: bytes at or above it are dropped so that every
// character is equally likely (rejection sampling, no modulo bias).
const ID_BYTE_LIMIT = 256 - (256 % ID_ALPHABET.length);

/**
 * A random secret from the operating system's CSPRNG, base64url without padding.
 * @example randomSecret() // 43 characters, 256 bits
 */
export function randomSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16) throw new RangeError('a secret needs at least 16 bytes');
  return randomBytes(bytes).toString('base64url');
}

/**
 * A random id of `[a-z0-9]`, uniform over the alphabet (PocketBase's record id shape).
 * @example randomId() // 'k3d9x0q2m1a8z7c'
 */
export function randomId(length = 15): string {
  if (!Number.isInteger(length) || length < 1) throw new RangeError('an id needs at least one character');
  let id = '';
  while (id.length < length) {
    const byte = nextRandomByte();
    if (byte < ID_BYTE_LIMIT) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  }
  return id;
}

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: a call to the OS per id
 * (every record and every stored request log entry has one) cost more than the rest of
 * making it. Each byte is used once. Secrets (`randomSecret`) never come from this pool.
 */
const idPool = Buffer.alloc(4096);
let idPoolAt = idPool.length;

function nextRandomByte(): number {
  if (idPoolAt === idPool.length) {
    randomFillSync(idPool);
    idPoolAt = 0;
  }
  return idPool[idPoolAt++]!;
}

/** The SHA-256 digest of a UTF-8 string, as lowercase hex (how stored tokens are kept). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Compares two strings without revealing where they differ. Both sides are hashed
 * first, so the compared buffers always have equal length and the lengths leak nothing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}
