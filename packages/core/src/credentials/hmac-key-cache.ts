import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
const encoder = new TextEncoder();
const HS256 = { name: 'HMAC', hash: 'SHA-256' } as const;

/**
 * The HS256 keys of recently used key strings, imported once each and kept in a small
 * LRU, so a hot token verification does not import its key again. Every auth record
 * signs with its own key (its tokenKey plus the collection's secret), hence a bound.
 * @example const keys = new HmacKeyCache(1024); await jwtVerify(token, await keys.get(secret))
 */
export class HmacKeyCache {
  readonly #limit: number;
  readonly #keys = new Map<string, Promise<CryptoKey>>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * The key for a key string (its UTF-8 bytes, as `createHmac` would use them).
   * NB: WebCrypto refuses an empty key; callers refuse one before they get here.
   */
  get(secret: string): Promise<CryptoKey> {
    const cached = this.#keys.get(secret);
    if (cached) return this.#touch(secret, cached);
    const imported = webcrypto.subtle.importKey('raw', encoder.encode(secret), HS256, false, ['sign', 'verify']);
    this.#keys.set(secret, imported);
    if (this.#keys.size > this.#limit) this.#keys.delete(this.#keys.keys().next().value!);
    return imported;
  }

  /** Moves an entry to the young end: a Map iterates in insertion order. */
  #touch(secret: string, key: Promise<CryptoKey>): Promise<CryptoKey> {
    this.#keys.delete(secret);
    this.#keys.set(secret, key);
    return key;
  }
}
