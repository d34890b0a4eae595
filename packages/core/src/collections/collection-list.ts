import type { ListResult } from '@tandem/protocol';
import { AppError } from '../errors/app-error.js';
import { createFilterPredicate, parseFilter, type EvaluateContext } from '../filter/index.js';
import type { Collection, FieldDef, FieldTypeName } from '../schema/collection.js';
import { schemaViewOf } from '../schema/schema-view.js';

/** The query parameters of `GET /api/collections`, as received. */
export interface CollectionListParams {
  page?: string | number;
  perPage?: string | number;
  sort?: string;
  filter?: string;
}

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 1000;
const SORT_KEYS = ['id', 'name', 'type', 'system', 'created', 'updated'] as const;
type SortKey = (typeof SORT_KEYS)[number];

/**
 * Lists collection definitions in memory, PocketBase's page shape. `filter` is Tandem's
 * filter language over the keys id, name, type, system, created, updated and the five
 * rules (so `name ~ "post"`, `type = "base" && system = false` work); `sort` takes
 * those six keys, comma separated, `-` for descending. The list is small and already
 * in memory, so nothing here touches the database.
 */
export function listCollections(all: readonly Collection[], params: CollectionListParams): ListResult<Collection> {
  const matches = filterOf(params.filter ?? '');
  const sorted = all.filter((c) => matches(c)).sort(comparatorOf(params.sort ?? ''));
  const page = positiveInt(params.page, 1);
  const perPage = Math.min(positiveInt(params.perPage, DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const items = sorted.slice((page - 1) * perPage, page * perPage);
  return { page, perPage, totalItems: sorted.length, totalPages: Math.ceil(sorted.length / perPage), items };
}

function filterOf(filter: string): (collection: Collection) => boolean {
  if (filter.trim() === '') return () => true;
  const predicate = createFilterPredicate(parseFilter(filter), filterContext());
  return (collection) => predicate(toRow(collection));
}

function toRow(c: Collection): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    system: c.system,
    created: c.created,
    updated: c.updated,
    listRule: c.listRule,
    viewRule: c.viewRule,
    createRule: c.createRule,
    updateRule: c.updateRule,
    deleteRule: c.deleteRule,
  };
}

/** The collection list seen as a collection, so the filter language can resolve its keys. */
const META_COLLECTION: Collection = {
  id: '_collections',
  name: '_collections',
  type: 'base',
  system: true,
  indexes: [],
  created: '',
  updated: '',
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [
    metaField('id', 'text'),
    metaField('name', 'text'),
    metaField('type', 'text'),
    metaField('system', 'bool'),
    metaField('created', 'date'),
    metaField('updated', 'date'),
    ...(['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const).map((name) =>
      metaField(name, 'text'),
    ),
  ],
};

function metaField(name: string, type: FieldTypeName): FieldDef {
  return { id: `${type}_${name}`, name, type, system: true, hidden: false, presentable: false, required: false };
}

function filterContext(): EvaluateContext {
  return {
    schema: schemaViewOf([META_COLLECTION]),
    collection: META_COLLECTION,
    request: { auth: null, body: {}, query: {}, headers: {}, method: 'GET', context: 'default' },
    now: new Date(),
    allowHidden: true,
    allowRequestMacros: false,
    source: { getRecord: () => undefined, listRecords: () => [] },
  };
}

function comparatorOf(sort: string): (a: Collection, b: Collection) => number {
  const keys = sort
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(toSortKey);
  return (a, b) => {
    for (const { key, direction } of keys) {
      const order = compare(a[key], b[key]);
      if (order !== 0) return order * direction;
    }
    return 0;
  };
}

function toSortKey(part: string): { key: SortKey; direction: 1 | -1 } {
  const direction = part.startsWith('-') ? -1 : 1;
  const key = part.replace(/^[-+]/, '');
  if (!(SORT_KEYS as readonly string[]).includes(key))
    throw new AppError('SORT_INVALID', `Invalid sort: collections sort by ${SORT_KEYS.join(', ')}.`);
  return { key: key as SortKey, direction };
}

function compare(a: string | boolean, b: string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function positiveInt(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}
