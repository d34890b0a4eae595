import type { ListResult } from '@tandem/protocol';
import { compileSort } from '../filter/index.js';
import { ident, raw, sql } from '../sql/sql.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from './record-deps.js';
import { andConditions, clientFilterCondition, filterContext, ruleCondition } from './record-rules.js';
import { selectRecords } from './record-read.js';
import type { RecordJson } from './record-codec.js';
import { expandRecords, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';

/** The list parameters of the records API, as received (strings) or typed. */
export interface ListParams {
  page?: string | number;
  perPage?: string | number;
  sort?: string;
  filter?: string;
  expand?: string;
  skipTotal?: string | boolean;
}

/** One page of a list: PocketBase's shape (the protocol's ListResult). */
export type ListPage<T> = ListResult<T>;

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 1000;
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * Lists records the request may see: the list rule is ANDed into the query (rows the
 * caller may not see are simply missing), then the client's filter, sort and paging.
 */
export async function listRecords(
  deps: RecordDeps,
  collectionIdOrName: string,
  params: ListParams,
  request: RequestContext,
): Promise<ListPage<RecordJson>> {
  const collection = deps.collections.get(collectionIdOrName);
  const scope = scopeFor(deps, collection, request);
  const rule = ruleCondition(scope, 'listRule');
  const where = andConditions([rule, clientFilterCondition(scope, params.filter ?? '')]);
  const privileged = request.principal.kind === 'superuser';
  // NB: a blank sort compiles to an empty fragment; `ORDER BY` with nothing after it is a syntax error.
  const sorted = params.sort ? compileSort(params.sort, filterContext(scope, privileged)) : undefined;
  const order = sorted && !sorted.isEmpty ? sorted : undefined;
  const expand = parseExpand(params.expand);
  const page = toPositiveInt(params.page, 1);
  const perPage = clampPerPage(params.perPage);
  const skipTotal = params.skipTotal === true || GO_TRUE.has(String(params.skipTotal ?? ''));
  const tail = sql`${order ? sql` ORDER BY ${order}` : raw('')} LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`;
  const select = () => selectRecords(deps, deps.store, collection, where, tail);
  const count = () => (skipTotal ? Promise.resolve(-1) : countRecords(deps, collection.name, where));
  // NB: SQLite answers within the call, so side by side buys nothing there, and a page
  // whose statement ran out of its budget would still have its count run to the end.
  const [records, totalItems] = deps.store.dialect.synchronous
    ? [await select(), await count()]
    : await Promise.all([select(), count()]);
  const items = records.map((r) => deps.codec(collection).toJson(r, privileged, viewerIdOf(request)));
  await expandRecords(deps, collection, records, items, expand, request);
  const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
  return { page, perPage, totalItems, totalPages, items };
}

async function countRecords(deps: RecordDeps, table: string, where: ReturnType<typeof andConditions>): Promise<number> {
  const row = await deps.store.first<{ n: unknown }>(
    sql`SELECT COUNT(*) AS "n" FROM ${ident(table)} AS ${ident(RECORD_ALIAS)} WHERE ${where}`,
  );
  return Number(row?.n ?? 0);
}

function toPositiveInt(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}

/** perPage ≤ 0 or missing → 30; above 1000 → 1000 (the SDK's getFullList relies on the echo). */
function clampPerPage(value: unknown): number {
  const number = toPositiveInt(value, DEFAULT_PER_PAGE);
  return Math.min(number, MAX_PER_PAGE);
}
