import { ident, raw, sql, type Sql } from '../sql/sql.js';
import { QueryTemplate, slot, type SqlQuery } from '../store/query-template.js';
import type { RequestLogBatch } from './log-batch.js';
import { jsonRowsOf } from './log-rows-json.js';
import { LOG_ROWS_FUNCTION, segmentBlobOf } from './log-segment-blob.js';
import { LOGS_TABLE } from './log-schema.js';
import { DEADLINE_FUNCTION, LOG_READ_BUDGET_MS, postgresBudgetCheck } from '../store/statement-budget.js';

/**
 * The request log is stored in segments: each batch of entries the LogWriter hands over
 * becomes one row of `_logs_segments`, its entries one JSON array (jsonRowsOf:
 * `[["<id>","<created>",<level>,<data>],…]`) with the bounds of their dates and ids. On
 * SQLite the row holds the batch's bytes instead, which a read turns into that JSON
 * (log-segment-blob.ts).
 *
 * Why: one indexed row per request cost the SQLite log's worker about 3 µs of CPU a
 * request (the insert alone about 2, with no index at all), more than a tenth of a cache
 * hit's whole cost, and PostgreSQL 6–8 µs. A segment costs its entries the JSON text and
 * a share of one insert. The price is paid by the reader: the database takes a segment
 * apart (`json_each`, `jsonb_array_elements`) when a query reaches it, so LogStore reads
 * only the segments a query can need (the newest ones for a page sorted newest first,
 * those whose id bounds hold an id for one entry) and the whole log only for other sorts,
 * filtered totals and the stats.
 *
 * `_logs` stays: it holds what an older Tandem stored row by row (and LogStore.insert's
 * entries), and every read goes over both (entriesFrom).
 *
 * NB: dates and ids are compared as text. Both have one fixed shape (`2026-12-07
 * 10:00:00.000Z`; 15 of `[a-z0-9]`), which sorts the same under any collation.
 */
export const LOG_SEGMENTS_TABLE = '_logs_segments';

const SEGMENTS = ident(LOG_SEGMENTS_TABLE);
const ALL = raw('1 = 1');
/** A segment's entry, one of its rows: `["<id>","<created>",<level>,<data>]`. */
const ROW = sql`"r"."value"`;

/** What differs between the databases: the rows' column, and how a segment's entries are read. */
export interface LogSegmentsSql {
  /** The table and the index of the segments' newest dates (retention, and the newest pages). */
  readonly schema: readonly string[];
  /** Stores a batch as one segment, its rows written straight from the batch's bytes (jsonRowsOf). */
  insert(batch: RequestLogBatch): SqlQuery;
  /** The entries of segment `"s"` as a table of rows `"r"`, joined after it. */
  readonly items: Sql;
  /**
   * True for each segment a read takes apart, and how a read past its budget is stopped
   * there (QUERY_TOO_COSTLY), once a segment (about a millisecond of work): on SQLite the
   * budget of the connection's deadline function (the log reader's, or a store's own), on
   * PostgreSQL the statement's clock.
   */
  readonly budgetCheck: Sql;
  /** An entry's columns, from its row `"r"`. */
  readonly id: Sql;
  readonly created: Sql;
  readonly level: Sql;
  /** `<method> <url>`, from its data, as a request's message is made. */
  readonly message: Sql;
  readonly data: Sql;
}

const schema = (rowsType: string) => [
  `CREATE TABLE IF NOT EXISTS "${LOG_SEGMENTS_TABLE}" ("first" TEXT NOT NULL, "last" TEXT NOT NULL,
    "lowId" TEXT NOT NULL, "highId" TEXT NOT NULL, "count" INTEGER NOT NULL, "rows" ${rowsType} NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS "${LOG_SEGMENTS_TABLE}_last_idx" ON "${LOG_SEGMENTS_TABLE}" ("last")`,
];

/**
 * SQLite's insert: the rows as the batch's own bytes, a blob (segmentBlobOf). Its text is
 * the log's worker's too.
 */
export const SQLITE_INSERT_LOG_SEGMENT = `INSERT INTO "${LOG_SEGMENTS_TABLE}" ("first", "last", "lowId", "highId", "count", "rows")
  VALUES (?, ?, ?, ?, ?, ?)`;

/** The parameters of SQLITE_INSERT_LOG_SEGMENT for a batch. */
export function sqliteSegmentParams(batch: RequestLogBatch): unknown[] {
  const segment = segmentBlobOf(batch);
  return [segment.first, segment.last, segment.lowId, segment.highId, segment.count, segment.blob];
}

/**
 * A SQLite segment's rows as JSON text: a blob through LOG_ROWS_FUNCTION (registered on
 * every connection, see registerLogFunctions), a text (an older Tandem's) as it is.
 */
const SQLITE_ROWS_TEXT = `CASE WHEN typeof("s"."rows") = 'blob' THEN ${LOG_ROWS_FUNCTION}("s"."rows") ELSE "s"."rows" END`;

/** SQLite: the rows are the batch's bytes (log-segment-blob.ts), taken apart by `json_each` as JSON text. */
export const SQLITE_LOG_SEGMENTS: LogSegmentsSql = {
  schema: schema('TEXT'),
  insert(batch) {
    const params = sqliteSegmentParams(batch);
    return { render: () => ({ text: SQLITE_INSERT_LOG_SEGMENT, params }) };
  },
  items: sql`JOIN json_each(${raw(SQLITE_ROWS_TEXT)}) AS "r"`,
  budgetCheck: sql`${raw(DEADLINE_FUNCTION)}("s".rowid)`,
  id: sql`${ROW} ->> 0`,
  created: sql`${ROW} ->> 1`,
  level: sql`${ROW} ->> 2`,
  message: sql`(${ROW} ->> '$[3].method') || ' ' || (${ROW} ->> '$[3].url')`,
  data: sql`${ROW} -> 3`,
};

/**
 * PostgreSQL's insert: the rows as binary jsonb (a version byte, then the text,
 * `jsonb_recv`), which `pg` sends as they are, never turned into a string and back.
 */
const JSONB_VERSION = 1;
const POSTGRES_INSERT = new QueryTemplate(
  sql`INSERT INTO ${SEGMENTS} ("first", "last", "lowId", "highId", "count", "rows")
    VALUES (${slot(0)}, ${slot(1)}, ${slot(2)}, ${slot(3)}, CAST(${slot(4)} AS integer), CAST(${slot(5)} AS jsonb))`,
);

/**
 * A segment's rows (some 300 KB of jsonb for 1,000 entries) are stored compressed, out of
 * line. PostgreSQL's default method, pglz, cost the backend about 1.2 ms a segment, a
 * microsecond and more an entry; lz4 (PostgreSQL 14 and later, when built with it, as
 * Debian's packages are) takes a tenth of that for the same size, and reads back faster.
 * The method changes no value, only how new ones are stored, so a server that cannot
 * (an older version, a build without lz4, a lock held past 2 s) keeps pglz, and the next
 * start tries again.
 * NB: the catalog is checked first, so that a start takes the table's exclusive lock only
 * once per database, never behind every instance's log writes; and the statements are
 * nested and dynamic, so that a server older than 14, which has neither the column nor
 * the syntax, never parses them.
 */
export const POSTGRES_SEGMENTS_COMPRESSION = `DO $$ BEGIN
  IF current_setting('server_version_num')::integer >= 140000 THEN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
        WHERE attrelid = '"${LOG_SEGMENTS_TABLE}"'::regclass AND attname = 'rows' AND attcompression = 'l') THEN
      PERFORM set_config('lock_timeout', '2s', true);
      EXECUTE 'ALTER TABLE "${LOG_SEGMENTS_TABLE}" ALTER COLUMN "rows" SET COMPRESSION lz4';
    END IF;
  END IF;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR lock_not_available THEN NULL;
END $$`;

/**
 * PostgreSQL: the rows are jsonb, taken apart by `jsonb_array_elements`; a read runs at
 * most `budgetMs` (LOG_READ_BUDGET_MS: it holds a pooled connection).
 */
export function postgresLogSegments(budgetMs = LOG_READ_BUDGET_MS): LogSegmentsSql {
  return {
    schema: [...schema('JSONB'), POSTGRES_SEGMENTS_COMPRESSION],
    insert(batch) {
      const rows = jsonRowsOf(batch, 1);
      rows.bytes[0] = JSONB_VERSION;
      return POSTGRES_INSERT.bind([rows.first, rows.last, rows.lowId, rows.highId, rows.count, rows.bytes]);
    },
    items: sql`CROSS JOIN LATERAL jsonb_array_elements("s"."rows") AS "r" ("value")`,
    budgetCheck: postgresBudgetCheck(budgetMs, sql`"s"."count"`),
    id: sql`(${ROW} ->> 0)`,
    created: sql`(${ROW} ->> 1)`,
    level: sql`CAST(${ROW} ->> 2 AS double precision)`,
    message: sql`(${ROW} -> 3 ->> 'method') || ' ' || (${ROW} -> 3 ->> 'url')`,
    data: sql`(${ROW} -> 3)`,
  };
}

/**
 * Which entries a read needs: a condition on `_logs`' rows, one on the segments that may
 * hold such entries (`"s"`), and one on a segment's entry, by its `id` and `created`.
 */
export interface EntriesReach {
  readonly rows: Sql;
  readonly segments: Sql;
  items(id: Sql, created: Sql): Sql;
}

/** Every entry. */
export const EVERY_ENTRY: EntriesReach = { rows: ALL, segments: ALL, items: () => ALL };

/** The entries created at `since` or after. A segment whose newest entry is older holds none. */
export function entriesSince(since: string): EntriesReach {
  return {
    rows: sql`"created" >= ${since}`,
    segments: sql`"s"."last" >= ${since}`,
    items: (_id, created) => sql`${created} >= ${since}`,
  };
}

/** The entry of an id. NB: a segment's id bounds exclude it from every other id's read. */
export function entryOfId(id: string): EntriesReach {
  return {
    rows: sql`"id" = ${id}`,
    segments: sql`"s"."lowId" <= ${id} AND "s"."highId" >= ${id}`,
    items: (entryId) => sql`${entryId} = ${id}`,
  };
}

/**
 * The entries `reach` names as one table of `_logs`' columns, aliased `alias`: the rows
 * of `_logs`, then the segments' entries.
 */
export function entriesFrom(segments: LogSegmentsSql, reach: EntriesReach, alias: string): Sql {
  return sql`(SELECT "id", "created", "level", "message", "data" FROM ${ident(LOGS_TABLE)} WHERE ${reach.rows}
    UNION ALL SELECT ${segments.id}, ${segments.created}, ${segments.level}, ${segments.message}, ${segments.data}
    FROM ${SEGMENTS} AS "s" ${segments.items}
    WHERE ${reach.segments} AND ${segments.budgetCheck} AND ${reach.items(segments.id, segments.created)}) AS ${ident(alias)}`;
}

/**
 * Entries per hour (`"total"`, `"hour"`: `2024-01-31 10`), newest hour first, at most
 * `hours`, taking apart only the segments that span two hours: a segment within one
 * hour adds its count to it. A batch spans half a second, so almost every segment is
 * one hour's.
 */
export function entriesPerHour(segments: LogSegmentsSql, hours: number): Sql {
  const hourOf = (text: Sql) => sql`SUBSTR(${text}, 1, 13)`;
  const [first, last] = [hourOf(sql`"first"`), hourOf(sql`"last"`)];
  const spanning: EntriesReach = { rows: raw('1 = 0'), segments: sql`${first} <> ${last}`, items: () => ALL };
  const entryHour = hourOf(sql`"_e"."created"`);
  return sql`SELECT SUM("n") AS "total", "hour" FROM (
      SELECT COUNT(*) AS "n", ${hourOf(sql`"created"`)} AS "hour" FROM ${ident(LOGS_TABLE)} GROUP BY ${hourOf(sql`"created"`)}
      UNION ALL SELECT SUM("count"), ${first} FROM ${SEGMENTS} WHERE ${first} = ${last} GROUP BY ${first}
      UNION ALL SELECT COUNT(*), ${entryHour} FROM ${entriesFrom(segments, spanning, '_e')} GROUP BY ${entryHour}
    ) AS "hours" GROUP BY "hour" ORDER BY "hour" DESC LIMIT ${hours}`;
}

/** How many entries there are, without taking a segment apart. */
export const COUNT_EVERY_ENTRY = sql`SELECT (SELECT COUNT(*) FROM ${ident(LOGS_TABLE)})
  + (SELECT COALESCE(SUM("count"), 0) FROM ${SEGMENTS}) AS "n"`;

/**
 * `since` of a read over about the newest `segments` segments and `rows` rows: the later
 * of the `last` of the `segments`-th newest segment and the `created` of the `rows`-th
 * newest row, or NULL when there are fewer of both (the read is then the whole log).
 */
export function newestBound(segments: number, rows: number): Sql {
  return sql`SELECT MAX("since") AS "since" FROM (
    SELECT (SELECT "last" FROM ${SEGMENTS} ORDER BY "last" DESC LIMIT 1 OFFSET ${segments - 1}) AS "since"
    UNION ALL SELECT (SELECT "created" FROM ${ident(LOGS_TABLE)} ORDER BY "created" DESC LIMIT 1 OFFSET ${rows - 1})
  ) AS "bounds"`;
}

/** Deletes the row-stored entries older than `cutoff`. */
export const deleteRowsBefore = (cutoff: string) => sql`DELETE FROM ${ident(LOGS_TABLE)} WHERE "created" < ${cutoff}`;

/** Deletes the segments whose every entry is older than `cutoff`; returns their counts. */
export const deleteSegmentsBefore = (cutoff: string) =>
  sql`DELETE FROM ${SEGMENTS} WHERE "last" < ${cutoff} RETURNING "count"`;

/** The worker's deletes over the log's SQLite file: the texts of deleteRowsBefore and deleteSegmentsBefore. */
export const SQLITE_DELETE_LOG_ROWS_BEFORE = `DELETE FROM "${LOGS_TABLE}" WHERE "created" < ?`;
export const SQLITE_DELETE_LOG_SEGMENTS_BEFORE = `DELETE FROM "${LOG_SEGMENTS_TABLE}" WHERE "last" < ? RETURNING "count"`;
