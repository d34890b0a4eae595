import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The one-time link of a first start: while no superuser exists, `tandem serve` prints
 * a URL holding this token, and whoever opens it may create the first superuser (as
 * PocketBase's installer link does). The token lives only in the server's memory, is
 * short-lived, and is spent by the first successful use.
 */
export class SuperuserInstall {
  #token: Buffer | undefined;
  #expiresAt = 0;

  /** Issues a fresh token valid for `ttlMs` (replacing any earlier one). */
  issue(ttlMs: number, now = Date.now()): string {
    const token = randomBytes(32).toString('base64url');
    this.#token = Buffer.from(token);
    this.#expiresAt = now + ttlMs;
    return token;
  }

  /** Takes the token if `token` is it and still fresh: a second caller then finds none. */
  take(token: string, now = Date.now()): boolean {
    const held = this.#token;
    const sent = Buffer.from(token);
    if (!held || now > this.#expiresAt || sent.length !== held.length || !timingSafeEqual(sent, held)) return false;
    this.#token = undefined;
    return true;
  }

  /** Puts a taken token back (the install it was taken for failed validation). */
  restore(token: string): void {
    this.#token = Buffer.from(token);
  }
}
