import { EXTERNAL_AUTHS_TABLE } from '../credentials/external-auths.js';
import { AppError } from '../errors/app-error.js';
import type { FilterNode, FilterOperand } from '../filter/filter-ast.js';
import { parseFilter } from '../filter/filter-cache.js';
import { filterError } from '../filter/filter-error.js';
import type { Principal } from '../schema/principal.js';
import { formatDate } from '../schema/fields/date-format.js';
import { ident, join, raw, sql, type Sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';

/** The fields a client may filter links by (PocketBase's `_externalAuths` fields, less the dates). */
const FILTER_FIELDS = new Set(['id', 'collectionRef', 'recordRef', 'provider', 'providerId']);
const MAX_PER_PAGE = 1000;
const DEFAULT_PER_PAGE = 30;

/** A link as PocketBase serves a record of its `_externalAuths` system collection. */
export interface ExternalAuthRecord {
  readonly collectionId: string;
  readonly collectionName: string;
  readonly id: string;
  readonly collectionRef: string;
  readonly recordRef: string;
  readonly provider: string;
  readonly providerId: string;
  readonly created: string;
  readonly updated: string;
}

/** What a list asks for: PocketBase's query parameters (sort is always oldest first). */
export interface ExternalAuthQuery {
  readonly filter?: string;
  readonly page?: string;
  readonly perPage?: string;
  readonly skipTotal?: string;
}

/**
 * `GET /api/collections/_externalAuths/records`, as PocketBase's list rule reads it: a
 * superuser sees every link, a signed-in record its own (`recordRef = @request.auth.id
 * && collectionRef = @request.auth.collectionId`), a guest none. The filter may only
 * join `field = "text"` comparisons on id, collectionRef, recordRef, provider and
 * providerId with `&&` (what the SDK's `listExternalAuths` and `unlinkExternalAuth` send).
 */
export async function listExternalAuthRecords(store: Store, principal: Principal, query: ExternalAuthQuery) {
  const where = join([ownerCondition(principal), ...filterConditions(query.filter ?? '')], ' AND ');
  const page = positive(query.page, 1);
  const perPage = Math.min(positive(query.perPage, DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const rows = await store.all<LinkRow>(
    sql`SELECT * FROM ${ident(EXTERNAL_AUTHS_TABLE)} WHERE ${where} ORDER BY "created", "id" LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
  );
  const skipTotal = /^(1|t|true)$/i.test(query.skipTotal ?? '');
  const totalItems = skipTotal ? -1 : await countLinks(store, where);
  const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
  return { page, perPage, totalItems, totalPages, items: rows.map(toRecord) };
}

/** One link the principal may see (404 NOT_FOUND otherwise). */
export async function viewExternalAuthRecord(store: Store, principal: Principal, id: string) {
  const row = await store.first<LinkRow>(
    sql`SELECT * FROM ${ident(EXTERNAL_AUTHS_TABLE)} WHERE "id" = ${id} AND ${ownerCondition(principal)}`,
  );
  if (!row) throw new AppError('NOT_FOUND');
  return toRecord(row);
}

/** Unlinks one link the principal may see (PocketBase's delete rule is its list rule); 404 otherwise. */
export async function deleteExternalAuthRecord(store: Store, principal: Principal, id: string): Promise<void> {
  const { changes } = await store.run(
    sql`DELETE FROM ${ident(EXTERNAL_AUTHS_TABLE)} WHERE "id" = ${id} AND ${ownerCondition(principal)}`,
  );
  if (changes === 0) throw new AppError('NOT_FOUND');
}

interface LinkRow extends Record<string, unknown> {
  id: string;
  collectionRef: string;
  recordRef: string;
  provider: string;
  providerId: string;
  created: number | string;
}

function ownerCondition(principal: Principal): Sql {
  if (principal.kind === 'superuser') return raw('1 = 1');
  if (principal.kind === 'guest') return raw('1 = 0');
  return sql`"collectionRef" = ${principal.collection.id} AND "recordRef" = ${principal.record.id}`;
}

function filterConditions(text: string): Sql[] {
  if (text.trim() === '') return [];
  return conditionsOf(parseFilter(text));
}

function conditionsOf(node: FilterNode): Sql[] {
  const only = '_externalAuths takes only field = "text" comparisons joined by &&';
  if (node.type !== 'comparison') {
    if (node.type === 'and') return node.items.flatMap(conditionsOf);
    throw filterError(only);
  }
  if (node.op !== '=' || node.any) throw filterError(only, node.position);
  const field = fieldName(node.left) ?? fieldName(node.right);
  const value = textValue(node.right) ?? textValue(node.left);
  if (field === undefined || value === undefined)
    throw filterError('compare id, collectionRef, recordRef, provider or providerId with a text', node.position);
  return [sql`${ident(field)} = ${value}`];
}

function fieldName(operand: FilterOperand): string | undefined {
  return operand.type === 'field' &&
    operand.path.length === 1 &&
    !operand.modifier &&
    FILTER_FIELDS.has(operand.path[0]!)
    ? operand.path[0]
    : undefined;
}

function textValue(operand: FilterOperand): string | undefined {
  return operand.type === 'text' ? operand.value : undefined;
}

async function countLinks(store: Store, where: Sql): Promise<number> {
  const row = await store.first<{ n: unknown }>(
    sql`SELECT COUNT(*) AS "n" FROM ${ident(EXTERNAL_AUTHS_TABLE)} WHERE ${where}`,
  );
  return Number(row?.n ?? 0);
}

function toRecord(row: LinkRow): ExternalAuthRecord {
  const created = formatDate(new Date(Number(row.created)));
  return {
    collectionId: EXTERNAL_AUTHS_TABLE,
    collectionName: EXTERNAL_AUTHS_TABLE,
    id: row.id,
    collectionRef: row.collectionRef,
    recordRef: row.recordRef,
    provider: row.provider,
    providerId: row.providerId,
    created,
    updated: created,
  };
}

function positive(value: string | undefined, fallback: number): number {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}
