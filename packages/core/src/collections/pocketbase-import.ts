import { SUPERUSERS_NAME } from '../schema/system-collections.js';
import { MAX_LIST_VALUES } from '../schema/fields/field-ceilings.js';
import { isLegacyCollection, upgradeLegacyCollection } from './legacy-collection.js';

/**
 * PocketBase's system collections that Tandem keeps elsewhere: accepted in an import and
 * left out, with the reason as a notice.
 */
const KEPT_ELSEWHERE: Readonly<Record<string, string>> = {
  _authOrigins: 'Tandem keeps sign-in origins with its sessions',
  _externalAuths: 'Tandem keeps OAuth2 links in its own table',
  _mfas: 'Tandem keeps MFA sessions in its own table',
  _otps: 'Tandem keeps one-time passwords in its own table',
  [SUPERUSERS_NAME]: "mapped onto Tandem's own _superusers collection, whose definition is kept",
};

/** Collection JSON ready for Tandem's import, and what was changed on the way. */
export interface PreparedImport {
  readonly collections: Record<string, unknown>[];
  readonly notices: string[];
}

/**
 * Reads the collections of a PocketBase export (any version from 0.22 on) into Tandem's
 * shape: ≤ 0.22 collections are upgraded as PocketBase's own upgrade does, PocketBase's
 * system collections are mapped or left out with a notice, and a selection limit above
 * Tandem's ceiling (PocketBase writes 2147483647 for "no limit") becomes the ceiling.
 */
export function prepareImport(inputs: unknown[]): PreparedImport {
  const notices: string[] = [];
  const collections: Record<string, unknown>[] = [];
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      collections.push(input as Record<string, unknown>);
      continue;
    }
    const raw = input as Record<string, unknown>;
    const name = String(raw.name ?? '');
    const reason = KEPT_ELSEWHERE[name];
    if (reason !== undefined) {
      notices.push(`${name}: ${reason}.`);
      continue;
    }
    if (isLegacyCollection(raw)) notices.push(`${name}: upgraded from the PocketBase 0.22 format.`);
    const current = isLegacyCollection(raw) ? upgradeLegacyCollection(raw) : raw;
    collections.push(withListCeilings(current, notices));
  }
  return { collections, notices };
}

function withListCeilings(raw: Record<string, unknown>, notices: string[]): Record<string, unknown> {
  if (!Array.isArray(raw.fields)) return raw;
  const fields = raw.fields.map((field: unknown) => {
    const f = field as Record<string, unknown> | null;
    if (typeof f?.maxSelect !== 'number' || f.maxSelect <= MAX_LIST_VALUES || f.type === 'file') return field;
    notices.push(`${String(raw.name)}.${String(f.name)}: maxSelect ${f.maxSelect} is held to ${MAX_LIST_VALUES}.`);
    return { ...f, maxSelect: MAX_LIST_VALUES };
  });
  return { ...raw, fields };
}
