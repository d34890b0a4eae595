import type { Collection } from './collection.js';

/** A record as JS values, keyed by field name. */
export type RecordData = Record<string, unknown> & { id: string };

/**
 * Who is asking. Every core action takes one; no transport decides access itself.
 * - guest: no valid credentials;
 * - superuser: bypasses every rule and sees hidden fields;
 * - record: a record of an auth collection.
 */
export type Principal =
  | { readonly kind: 'guest' }
  | { readonly kind: 'superuser'; readonly id: string }
  | { readonly kind: 'record'; readonly collection: Collection; readonly record: RecordData };

/** The guest principal. */
export const guest: Principal = Object.freeze({ kind: 'guest' });

/** A superuser principal (used by the CLI and, later, by superuser auth). */
export function superuser(id = 'cli'): Principal {
  return { kind: 'superuser', id };
}

/** True when the principal bypasses rules. */
export function isSuperuser(principal: Principal): boolean {
  return principal.kind === 'superuser';
}
