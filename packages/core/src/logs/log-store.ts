import { compileFilter, compileSort, parseFilter, type FilterContext } from '../filter/index.js';
import { schemaViewOf } from '../schema/schema-view.js';
import { ident, raw, sql, type Sql } from '../sql/sql.js';
import type { Executor, Store } from '../store/store.js';
import { QueryTemplate, slot } from '../store/query-template.js';
import type { RequestLogBatch } from './log-batch.js';
import type { LogEntry, LogHourStats, LogPage } from './log-entry.js';
import { LOGS_TABLE, logsCollection } from './log-schema.js';
import {
  COUNT_EVERY_ENTRY,
  deleteRowsBefore,
  deleteSegmentsBefore,
  entriesFrom,
  entriesPerHour,
  entriesSince,
  entryOfId,
  EVERY_ENTRY,
  newestBound,
  postgresLogSegments,
  SQLITE_LOG_SEGMENTS,
  type EntriesReach,
  type LogSegmentsSql,
} from './log-segments.js';

const ALIAS = '_l';
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 500;
/** Most hours one stats answer lists (a year of hours): the answer stays bounded whatever the filter. */
const MAX_STATS_HOURS = 24 * 366;
/** Entries a segment holds, on a busy server: the first guess of how many segments a page needs. */
const ENTRIES_PER_BUSY_SEGMENT = 100;
/** How much wider each try of a newest-first page reads when the one before fell short. */
const WIDER = 8;
/** A sort whose first key is the newest first: `-created`, or `-@rowid` (PocketBase's own admin sorts its logs so). */
const NEWEST_FIRST = /^\s*-(created|@rowid)\s*(,|$)/;

/** `page`, `perPage`, `sort`, `filter` and `skipTotal` of `GET /api/logs`. */
export interface LogListParams {
  readonly page?: string;
  readonly perPage?: string;
  readonly sort?: string;
  readonly filter?: string;
  readonly skipTotal?: string;
}

/**
 * Where the log's reads run: the store itself, or (a SQLite server) a worker thread's
 * connection to the same file, so that a read over a large log never holds the event loop.
 */
export type LogReads = Pick<Executor, 'all' | 'first'>;

/**
 * The request log, written in batches by the LogWriter, read by superusers through
 * `/api/logs`. Filters and sorts compile as over a collection with fields `id`,
 * `created`, `level`, `message` and `data` (json), with a superuser's rights.
 *
 * A batch of requests is stored as one segment, and `_logs` holds entries stored row by
 * row (by an older Tandem, or `insert`): see log-segments.ts. On SQLite the tables are
 * in the log's own file, on PostgreSQL in the data store. Reads go through `reader`
 * (LogReads), writes and deletions through `store`.
 */
export class LogStore {
  readonly #store: Store;
  readonly #reader: LogReads;
  readonly #segments: LogSegmentsSql;

  /**
   * @param options.readBudgetMs PostgreSQL: how long a read may run (LOG_READ_BUDGET_MS).
   * On SQLite the connection's deadline function sets it (see createSqliteLogReader).
   */
  constructor(store: Store, reader: LogReads = store, options: { readBudgetMs?: number } = {}) {
    this.#store = store;
    this.#reader = reader;
    // NB: SQLite is the one synchronous store.
    this.#segments = store.dialect.synchronous ? SQLITE_LOG_SEGMENTS : postgresLogSegments(options.readBudgetMs);
  }

  /** Creates the tables and their indexes when missing. */
  async ensureSchema(): Promise<void> {
    const d = this.#store.dialect;
    await this.#store.exec(`CREATE TABLE IF NOT EXISTS "${LOGS_TABLE}" ("id" TEXT PRIMARY KEY NOT NULL,
      "created" TEXT NOT NULL, "level" ${d.columnDefinition('number')}, "message" ${d.columnDefinition('text')},
      "data" ${d.columnDefinition('json')})`);
    await this.#store.exec(`CREATE INDEX IF NOT EXISTS "_logs_created_idx" ON "${LOGS_TABLE}" ("created")`);
    for (const statement of this.#segments.schema) await this.#store.exec(statement);
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
   * Inserts a batch of request entries as one segment, with the same entries as
   * `insert(entriesOf(batch))` gives. On SQLite this serves tests and tools: a server
   * writes its SQLite log in a worker of its own.
   */
  async insertRequests(batch: RequestLogBatch): Promise<void> {
    if (batch.count > 0) await this.#store.run(this.#segments.insert(batch));
  }

  /**
   * Deletes entries created before `cutoff` (PocketBase's datetime text); returns how
   * many. A segment goes once its newest entry is older than `cutoff`.
   */
  async deleteBefore(cutoff: string): Promise<number> {
    return this.#store.transaction(async (tx) => {
      const rows = (await tx.run(deleteRowsBefore(cutoff))).changes;
      const segments = await tx.all<{ count: unknown }>(deleteSegmentsBefore(cutoff));
      return segments.reduce((sum, segment) => sum + Number(segment.count), rows);
    });
  }

  /** One page of entries, newest first unless `sort` says otherwise. Throws FILTER_INVALID / SORT_INVALID (400). */
  async list(params: LogListParams): Promise<LogPage> {
    const where = this.#where(params.filter);
    const order = params.sort?.trim() ? compileSort(params.sort, this.#context()) : raw('"created" DESC, "id" DESC');
    const page = positiveInt(params.page, 1);
    const perPage = Math.min(positiveInt(params.perPage, DEFAULT_PER_PAGE), MAX_PER_PAGE);
    const skipTotal = params.skipTotal === 'true' || params.skipTotal === '1';
    const newestFirst = !params.sort?.trim() || NEWEST_FIRST.test(params.sort);
    const pageOf = (reach: EntriesReach) =>
      this.#reader.all<Record<string, unknown>>(
        sql`SELECT * FROM ${this.#table(reach)} WHERE ${where} ORDER BY ${order}
          LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
      );
    const [rows, totalItems] = await Promise.all([
      newestFirst ? this.#newestPage(page, perPage, pageOf) : pageOf(EVERY_ENTRY),
      skipTotal ? Promise.resolve(-1) : this.#count(params.filter, where),
    ]);
    const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
    return { page, perPage, totalItems, totalPages, items: rows.map((row) => this.#entry(row)) };
  }

  /**
   * A page sorted newest first, over segments, read from the newest entries only: those
   * created at or after the `last` of the n-th newest segment are every entry that new
   * (an older segment's entries are all older), and so are those at or after the
   * `created` of the n-th newest row. So when they fill the page it is the page. When
   * they fall short of a full page, the next try reads WIDER times as many, and the last
   * reads them all. NB: a try that would read more than half the log reads it all: it
   * costs about as much, and a filter that matches little would read it all next anyway.
   */
  async #newestPage(
    page: number,
    perPage: number,
    pageOf: (reach: EntriesReach) => Promise<Record<string, unknown>[]>,
  ): Promise<Record<string, unknown>[]> {
    for (let rows = page * perPage; ; rows *= WIDER) {
      const segments = Math.ceil(rows / ENTRIES_PER_BUSY_SEGMENT);
      const twice = await this.#reader.first<{ since: string | null }>(newestBound(2 * segments, 2 * rows));
      if (twice?.since == null) return pageOf(EVERY_ENTRY);
      const bound = await this.#reader.first<{ since: string | null }>(newestBound(segments, rows));
      if (bound?.since == null) return pageOf(EVERY_ENTRY);
      const found = await pageOf(entriesSince(bound.since));
      if (found.length === perPage) return found;
    }
  }

  /** One entry, or undefined. */
  async view(id: string): Promise<LogEntry | undefined> {
    const row = await this.#reader.first<Record<string, unknown>>(
      sql`SELECT * FROM ${this.#table(entryOfId(id))} WHERE ${ident(ALIAS)}."id" = ${id}`,
    );
    return row ? this.#entry(row) : undefined;
  }

  /** Entries per hour (PocketBase's `/api/logs/stats`), oldest first, optionally filtered. */
  async stats(filter?: string): Promise<LogHourStats[]> {
    // The hour of PocketBase's datetime text, `2024-01-31 10`, names its bucket: the same SQL on both databases.
    const hour = sql`SUBSTR(${ident(ALIAS)}."created", 1, 13)`;
    const query = filter?.trim()
      ? sql`SELECT COUNT(*) AS "total", ${hour} AS "hour" FROM ${this.#table(EVERY_ENTRY)} WHERE ${this.#where(filter)}
        GROUP BY ${hour} ORDER BY ${hour} DESC LIMIT ${MAX_STATS_HOURS}`
      : entriesPerHour(this.#segments, MAX_STATS_HOURS);
    const rows = await this.#reader.all<{ total: unknown; hour: string }>(query);
    return rows.reverse().map((row) => ({ total: Number(row.total), date: `${row.hour}:00:00.000Z` }));
  }

  /** The entries `reach` names, as a table aliased ALIAS. */
  #table(reach: EntriesReach): Sql {
    return entriesFrom(this.#segments, reach, ALIAS);
  }

  #where(filter: string | undefined): Sql {
    return filter?.trim() ? compileFilter(parseFilter(filter), this.#context()) : raw('1 = 1');
  }

  /** How many entries match; without a filter, from the segments' counts. */
  async #count(filter: string | undefined, where: Sql): Promise<number> {
    const query = !filter?.trim()
      ? COUNT_EVERY_ENTRY
      : sql`SELECT COUNT(*) AS "n" FROM ${this.#table(EVERY_ENTRY)} WHERE ${where}`;
    const row = await this.#reader.first<{ n: unknown }>(query);
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
      // The order entries are logged in: by their time, then their id (as unique as a
      // rowid), so `-@rowid` reads the newest segments only, as `-created` does.
      rowidKey: this.#store.dialect.filter.orderText(sql`${ident(ALIAS)}."created" || ${ident(ALIAS)}."id"`),
    };
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}

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
