import { compileFilter, compileSort, parseFilter, type FilterContext } from '../filter/index.js';
import { schemaViewOf } from '../schema/schema-view.js';
import { ident, raw, sql, type Sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { QueryTemplate, slot } from '../store/query-template.js';
import { entriesOf, type RequestLogBatch } from './log-batch.js';
import type { LogEntry, LogHourStats, LogPage } from './log-entry.js';
import { jsonbRowsOf } from './log-rows-jsonb.js';
import { LOGS_TABLE, logsCollection } from './log-schema.js';

const ALIAS = '_l';
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 500;
/** Most hours one stats answer lists (a year of hours): the answer stays bounded whatever the filter. */
const MAX_STATS_HOURS = 24 * 366;

/** `page`, `perPage`, `sort`, `filter` and `skipTotal` of `GET /api/logs`. */
export interface LogListParams {
  readonly page?: string;
  readonly perPage?: string;
  readonly sort?: string;
  readonly filter?: string;
  readonly skipTotal?: string;
}

/**
 * The request log table (`_logs`) in the data store, on both databases: written in
 * batches by the LogWriter, read by superusers through `/api/logs`. Filters and sorts
 * compile as over a collection with fields `id`, `created`, `level`, `message` and
 * `data` (json), with a superuser's rights.
 */
export class LogStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates the table and its index on `created` when missing. */
  async ensureSchema(): Promise<void> {
    const d = this.#store.dialect;
    await this.#store.exec(`CREATE TABLE IF NOT EXISTS "${LOGS_TABLE}" ("id" TEXT PRIMARY KEY NOT NULL,
      "created" TEXT NOT NULL, "level" ${d.columnDefinition('number')}, "message" ${d.columnDefinition('text')},
      "data" ${d.columnDefinition('json')})`);
    await this.#store.exec(`CREATE INDEX IF NOT EXISTS "_logs_created_idx" ON "${LOGS_TABLE}" ("created")`);
  }

  /**
   * Inserts entries in one transaction. On SQLite each row is one run of the same
   * prepared single-row INSERT (a multi-row statement of a new size each batch would be
   * parsed and planned again, which cost more than the inserts). On PostgreSQL one INSERT
   * takes the batch as five arrays, one per column (`unnest`): one round trip, and the
   * same text for every batch, so it is prepared once per connection instead of parsed
   * and planned each time.
   */
  async insert(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const d = this.#store.dialect;
    if (!d.synchronous) {
      const column = <T>(pick: (entry: LogEntry) => T) => entries.map(pick);
      await this.#store.run(
        INSERT_UNNESTED.bind([
          column((e) => e.id),
          column((e) => e.created),
          column((e) => e.level),
          column((e) => e.message),
          column((e) => d.toColumn('json', e.data)),
        ]),
      );
      return;
    }
    const row = (e: LogEntry) =>
      sql`(${e.id}, ${e.created}, ${e.level}, ${e.message}, ${d.toColumn('json', e.data) as string})`;
    await this.#store.transaction(async (tx) => {
      for (const entry of entries)
        await tx.run(
          sql`INSERT INTO ${ident(LOGS_TABLE)} ("id", "created", "level", "message", "data") VALUES ${row(entry)}`,
        );
    });
  }

  /**
   * Inserts a batch of request entries in one statement. On PostgreSQL the batch's rows
   * go as one `jsonb` array made straight from the batch's bytes (jsonbRowsOf), with
   * the same rows as `insert(entriesOf(batch))` gives; on SQLite (tests and tools: a
   * server writes its SQLite log in a worker of its own) through `insert`.
   */
  async insertRequests(batch: RequestLogBatch): Promise<void> {
    if (batch.count === 0) return;
    if (this.#store.dialect.synchronous) return this.insert(entriesOf(batch));
    await this.#store.run(INSERT_FROM_JSONB.bind([jsonbRowsOf(batch)]));
  }

  /** Deletes entries created before `cutoff` (PocketBase's datetime text); returns how many. */
  async deleteBefore(cutoff: string): Promise<number> {
    return (await this.#store.run(sql`DELETE FROM ${ident(LOGS_TABLE)} WHERE "created" < ${cutoff}`)).changes;
  }

  /** One page of entries, newest first unless `sort` says otherwise. Throws FILTER_INVALID / SORT_INVALID (400). */
  async list(params: LogListParams): Promise<LogPage> {
    const where = this.#where(params.filter);
    const order = params.sort?.trim() ? compileSort(params.sort, this.#context()) : raw('"created" DESC, "id" DESC');
    const page = positiveInt(params.page, 1);
    const perPage = Math.min(positiveInt(params.perPage, DEFAULT_PER_PAGE), MAX_PER_PAGE);
    const skipTotal = params.skipTotal === 'true' || params.skipTotal === '1';
    const [rows, totalItems] = await Promise.all([
      this.#store.all<Record<string, unknown>>(
        sql`SELECT * FROM ${this.#table()} WHERE ${where} ORDER BY ${order} LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
      ),
      skipTotal ? Promise.resolve(-1) : this.#count(where),
    ]);
    const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
    return { page, perPage, totalItems, totalPages, items: rows.map((row) => this.#entry(row)) };
  }

  /** One entry, or undefined. */
  async view(id: string): Promise<LogEntry | undefined> {
    const row = await this.#store.first<Record<string, unknown>>(
      sql`SELECT * FROM ${this.#table()} WHERE ${ident(ALIAS)}."id" = ${id}`,
    );
    return row ? this.#entry(row) : undefined;
  }

  /** Entries per hour (PocketBase's `/api/logs/stats`), oldest first, optionally filtered. */
  async stats(filter?: string): Promise<LogHourStats[]> {
    // The hour of PocketBase's datetime text, `2024-01-31 10`, names its bucket: the same SQL on both databases.
    const hour = sql`SUBSTR(${ident(ALIAS)}."created", 1, 13)`;
    const rows = await this.#store.all<{ total: unknown; hour: string }>(
      sql`SELECT COUNT(*) AS "total", ${hour} AS "hour" FROM ${this.#table()} WHERE ${this.#where(filter)}
        GROUP BY ${hour} ORDER BY ${hour} DESC LIMIT ${MAX_STATS_HOURS}`,
    );
    return rows.reverse().map((row) => ({ total: Number(row.total), date: `${row.hour}:00:00.000Z` }));
  }

  #table(): Sql {
    return sql`${ident(LOGS_TABLE)} AS ${ident(ALIAS)}`;
  }

  #where(filter: string | undefined): Sql {
    return filter?.trim() ? compileFilter(parseFilter(filter), this.#context()) : raw('1 = 1');
  }

  async #count(where: Sql): Promise<number> {
    const row = await this.#store.first<{ n: unknown }>(
      sql`SELECT COUNT(*) AS "n" FROM ${this.#table()} WHERE ${where}`,
    );
    return Number(row?.n ?? 0);
  }

  #entry(row: Record<string, unknown>): LogEntry {
    const data = this.#store.dialect.fromColumn('json', row.data);
    return {
      id: String(row.id),
      created: String(row.created),
      level: Number(row.level),
      message: String(row.message ?? ''),
      data: data && typeof data === 'object' ? (data as Record<string, unknown>) : {},
    };
  }

  /** Only superusers read the log: every field and macro is theirs to use. */
  #context(): FilterContext {
    return {
      dialect: this.#store.dialect,
      schema: schemaViewOf([logsCollection]),
      collection: logsCollection,
      tableAlias: ALIAS,
      request: { auth: null, body: {}, query: {}, headers: {}, method: 'GET', context: 'default' },
      now: new Date(),
      allowHidden: true,
      allowRequestMacros: true,
    };
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}

/**
 * PostgreSQL's insert of a batch of request entries, from the rows of jsonbRowsOf. A
 * request's message is `<method> <url>` (as entriesOf makes it), read from its data.
 */
const INSERT_FROM_JSONB = new QueryTemplate(
  sql`INSERT INTO ${ident(LOGS_TABLE)} ("id", "created", "level", "message", "data")
    SELECT "r"->>0, "r"->>1, CAST("r"->>2 AS double precision), ("r"->3->>'method') || ' ' || ("r"->3->>'url'), "r"->3
    FROM jsonb_array_elements(CAST(${slot(0)} AS jsonb)) AS "r"`,
);

/**
 * PostgreSQL's batch insert: five arrays, one per column. NB: `data` travels as text and
 * is cast per row, so a JSON text is read exactly as the single-row insert would read it.
 */
const INSERT_UNNESTED = new QueryTemplate(
  sql`INSERT INTO ${ident(LOGS_TABLE)} ("id", "created", "level", "message", "data")
    SELECT "id", "created", "level", "message", CAST("data" AS jsonb)
    FROM unnest(CAST(${slot(0)} AS text[]), CAST(${slot(1)} AS text[]), CAST(${slot(2)} AS double precision[]),
      CAST(${slot(3)} AS text[]), CAST(${slot(4)} AS text[])) AS "u" ("id", "created", "level", "message", "data")`,
);
