/**
 * Test-only fixtures for the filter suites: a small blog schema built from readable
 * builders, a loader that writes records into a Store, and the same records as an
 * in-memory FilterRecordSource. Only tests import this file.
 */
import type { Collection, FieldDef, FieldTypeName } from '../schema/collection.js';
import { columnKindOf } from '../schema/field-storage.js';
import { schemaViewOf, type SchemaView } from '../schema/schema-view.js';
import { createTableStatements } from '../schema/schema-ddl.js';
import { column, ident, join, sql, type Sql } from '../sql/sql.js';
import type { Row, Store } from '../store/store.js';
import type { EvaluateContext, FilterContext, FilterRecordSource, RequestInfo } from './filter-context.js';

/** A field definition with PocketBase's defaults. */
export function field(name: string, type: FieldTypeName, options: Partial<FieldDef> = {}): FieldDef {
  return { id: `f_${name}`, name, type, system: false, hidden: false, presentable: false, required: false, ...options };
}

/** A base collection with an `id` field followed by `fields`; its list rule is "" (anyone). */
export function collection(name: string, fields: FieldDef[], options: Partial<Collection> = {}): Collection {
  const id = field('id', 'text', { system: true, primaryKey: true, required: true });
  return {
    id: `c_${name}`,
    name,
    type: 'base',
    system: false,
    fields: [id, ...fields],
    indexes: [],
    listRule: '',
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    created: '',
    updated: '',
    ...options,
  };
}

/** An auth collection: the system fields of PocketBase's auth collections, then `fields`. */
export function authCollection(name: string, fields: FieldDef[], options: Partial<Collection> = {}): Collection {
  const system = [
    field('password', 'password', { system: true, hidden: true }),
    field('tokenKey', 'text', { system: true, hidden: true }),
    field('email', 'email', { system: true }),
    field('emailVisibility', 'bool', { system: true }),
    field('verified', 'bool', { system: true }),
  ];
  return collection(name, [...system, ...fields], { type: 'auth', ...options });
}

/** The blog's collections and a schema view over them. */
export interface BlogSchema {
  readonly schema: SchemaView;
  readonly users: Collection;
  readonly posts: Collection;
  readonly comments: Collection;
  readonly bookmarks: Collection;
}

/** users (an auth collection), posts (with a self-relation), comments and bookmarks: every kind of field and relation the filter knows. */
export function blogSchema(
  overrides: Partial<Record<'users' | 'posts' | 'comments' | 'bookmarks', Partial<Collection>>> = {},
): BlogSchema {
  const users = authCollection(
    'users',
    [
      field('name', 'text'),
      field('age', 'number'),
      field('profile', 'json'),
      field('favorite', 'relation', { collectionId: 'c_posts', maxSelect: 1 }),
    ],
    overrides.users,
  );
  const posts = collection(
    'posts',
    [
      field('title', 'text'),
      field('views', 'number'),
      field('published', 'bool'),
      field('tags', 'select', { values: ['a', 'b', 'c', 'A', '%', '_', 'é'], maxSelect: 5 }),
      field('category', 'select', { values: ['news', 'tech'], maxSelect: 1 }),
      field('author', 'relation', { collectionId: users.id, maxSelect: 1 }),
      field('editors', 'relation', { collectionId: users.id, maxSelect: 5 }),
      field('data', 'json'),
      field('created', 'date'),
      field('secret', 'text', { hidden: true }),
      field('parent', 'relation', { collectionId: 'c_posts', maxSelect: 1 }),
    ],
    overrides.posts,
  );
  const comments = collection(
    'comments',
    [
      field('post', 'relation', { collectionId: posts.id, maxSelect: 1 }),
      field('message', 'text'),
      field('votes', 'number'),
      field('author', 'relation', { collectionId: users.id, maxSelect: 1 }),
    ],
    overrides.comments,
  );
  const bookmarks = collection(
    'bookmarks',
    [
      field('owner', 'relation', { collectionId: users.id, maxSelect: 1 }),
      field('posts', 'relation', { collectionId: posts.id, maxSelect: 9 }),
    ],
    overrides.bookmarks,
  );
  return { schema: schemaViewOf([users, posts, comments, bookmarks]), users, posts, comments, bookmarks };
}

/** Records keyed by collection name. */
export type Dataset = Record<string, Row[]>;

/** Creates the tables of every collection and inserts the dataset. */
export async function loadDataset(store: Store, schema: SchemaView, dataset: Dataset): Promise<void> {
  for (const target of schema.all()) {
    for (const statement of createTableStatements(store.dialect, target)) await store.exec(statement);
  }
  await store.transaction(async (tx) => {
    for (const target of schema.all()) {
      for (const row of dataset[target.name] ?? []) await tx.run(insertSql(store, target, row));
    }
  });
}

function insertSql(store: Store, target: Collection, row: Row): Sql {
  const names = join(target.fields.map((f) => ident(f.name)));
  const values = join(
    target.fields.map((f) => sql`${store.dialect.toColumn(columnKindOf(f), row[f.name] ?? zeroOf(f))}`),
  );
  return sql`INSERT INTO ${ident(target.name)} (${names}) VALUES (${values})`;
}

/** The zero value PocketBase gives a field. */
export function zeroOf(def: FieldDef): unknown {
  const kind = columnKindOf(def);
  return kind === 'text' ? '' : kind === 'number' ? 0 : kind === 'bool' ? false : kind === 'list' ? [] : null;
}

/** The same records as an in-memory source for the evaluator (zero values filled in). */
export function datasetSource(schema: SchemaView, dataset: Dataset): FilterRecordSource {
  const tables = new Map<string, Row[]>();
  for (const target of schema.all()) {
    const rows = (dataset[target.name] ?? []).map((row) =>
      Object.fromEntries(target.fields.map((f) => [f.name, row[f.name] ?? zeroOf(f)])),
    );
    tables.set(target.id, rows);
    tables.set(target.name, rows);
  }
  return {
    getRecord: (name, id) => tables.get(name)?.find((row) => row.id === id),
    listRecords: (name) => tables.get(name) ?? [],
  };
}

/** Ids of the rows of `target` the compiled filter selects, sorted. */
export async function selectIds(store: Store, target: Collection, where: Sql): Promise<string[]> {
  const rows = await store.all<{ id: string }>(
    sql`SELECT ${column('t', 'id')} AS "id" FROM ${ident(target.name)} AS "t" WHERE ${where}`,
  );
  return rows.map((row) => row.id).sort();
}

/** A guest request with nothing in it. */
export function guestRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { auth: null, body: {}, query: {}, headers: {}, method: 'GET', context: 'default', ...overrides };
}

/** A compiler context for `target` on a store, with every permission unless overridden. */
export function compileContextFor(
  store: Store,
  schema: SchemaView,
  target: Collection,
  overrides: Partial<FilterContext> = {},
): FilterContext {
  return {
    dialect: store.dialect,
    schema,
    collection: target,
    tableAlias: 't',
    request: guestRequest(),
    now: new Date('2024-12-31T12:00:00.000Z'),
    allowHidden: true,
    allowRequestMacros: true,
    ...overrides,
  };
}

/** The evaluator context matching a compiler context. */
export function evaluateContextFor(
  context: Omit<FilterContext, 'dialect' | 'tableAlias'>,
  source: FilterRecordSource,
): EvaluateContext {
  const { schema, collection: target, request, now, allowHidden, allowRequestMacros } = context;
  return { schema, collection: target, request, now, allowHidden, allowRequestMacros, source };
}
