import { ident, raw, sql, type Sql } from '../sql/sql.js';
import type { SqlQuery } from '../store/query-template.js';
import { LOGS_TABLE } from './log-schema.js';

/**
 * On SQLite the request log is stored in segments: each batch of entries the LogWriter
 * hands over becomes one row of `_logs_segments`, its entries one JSON array (jsonRowsOf:
 * `[["<id>","<created>",<level>,<data>],…]`) with the bounds of their dates and ids.
 *
 * Why: one indexed row per request cost the log's worker about 3 µs of CPU a request
 * (the insert alone about 2, with no index at all), which was more than a tenth of a
 * cache hit's whole cost. A segment costs its entries the JSON text and a share of one
 * insert. The price is paid by the reader: SQLite takes a segment apart (`json_each`)
 * when a query reaches it, so LogStore reads only the segments a query can need (the
 * newest ones for a page sorted newest first, those whose id bounds hold an id for one
 * entry) and the whole log only for other sorts, filtered totals and the stats.
 *
 * `_logs` stays: it holds what an older Tandem stored row by row, and every read goes over
 * both (entriesFrom). PostgreSQL keeps one row per entry.
 */
export const LOG_SEGMENTS_TABLE = '_logs_segments';

/** The segments' table and the index of their newest dates (retention, and the newest pages). */
export const LOG_SEGMENTS_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS "${LOG_SEGMENTS_TABLE}" ("id" INTEGER PRIMARY KEY, "first" TEXT NOT NULL,
    "last" TEXT NOT NULL, "lowId" TEXT NOT NULL, "highId" TEXT NOT NULL, "count" INTEGER NOT NULL,
    "rows" TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS "${LOG_SEGMENTS_TABLE}_last_idx" ON "${LOG_SEGMENTS_TABLE}" ("last")`,
];

/**
 * Stores one segment: `first`, `last`, `lowId`, `highId`, `count`, then the rows' JSON
 * as UTF-8 bytes. NB: bound as bytes (a blob, cast to text) the driver never makes a
 * string of them.
 */
export const INSERT_LOG_SEGMENT = `INSERT INTO "${LOG_SEGMENTS_TABLE}" ("first", "last", "lowId", "highId", "count", "rows")
  VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT))`;

/** Deletes the segments whose every entry is older than the parameter; returns their counts. */
export const DELETE_LOG_SEGMENTS_BEFORE = `DELETE FROM "${LOG_SEGMENTS_TABLE}" WHERE "last" < ? RETURNING "count"`;

/** Deletes the row-stored entries older than the parameter. */
export const DELETE_LOG_ROWS_BEFORE = `DELETE FROM "${LOGS_TABLE}" WHERE "created" < ?`;

/**
 * One of the statements above with its parameters, for a store over the log's SQLite file.
 * NB: they are SQLite's own text, shared with the log's worker, which runs them over a
 * connection of its own.
 */
export function logFileStatement(text: string, params: readonly unknown[]): SqlQuery {
  return { render: () => ({ text, params: [...params] }) };
}

/**
 * Which entries a read needs: a condition on `_logs`' rows, one on the segments that may
 * hold such entries, and one on a segment's entry (`"r"."value"`, its JSON row).
 */
export interface EntriesReach {
  readonly rows: Sql;
  readonly segments: Sql;
  readonly items: Sql;
}

const ITEM = sql`"r"."value"`;
const ALL = raw('1 = 1');

/** Every entry. */
export const EVERY_ENTRY: EntriesReach = { rows: ALL, segments: ALL, items: ALL };

/** The entries created at `since` or after. A segment whose newest entry is older holds none. */
export function entriesSince(since: string): EntriesReach {
  return {
    rows: sql`"created" >= ${since}`,
    segments: sql`"s"."last" >= ${since}`,
    items: sql`${ITEM} ->> 1 >= ${since}`,
  };
}

/** The entry of an id. NB: a segment's id bounds exclude it from every other id's read. */
export function entryOfId(id: string): EntriesReach {
  return {
    rows: sql`"id" = ${id}`,
    segments: sql`"s"."lowId" <= ${id} AND "s"."highId" >= ${id}`,
    items: sql`${ITEM} ->> 0 = ${id}`,
  };
}

/**
 * The entries `reach` names as one table of `_logs`' columns, aliased `alias`: the rows
 * of `_logs`, then the segments' entries. A request's message is `<method> <url>`, taken
 * from its data as on PostgreSQL.
 */
export function entriesFrom(reach: EntriesReach, alias: string): Sql {
  return sql`(SELECT "id", "created", "level", "message", "data" FROM ${ident(LOGS_TABLE)} WHERE ${reach.rows}
    UNION ALL SELECT ${ITEM} ->> 0, ${ITEM} ->> 1, ${ITEM} ->> 2,
      (${ITEM} ->> '$[3].method') || ' ' || (${ITEM} ->> '$[3].url'), ${ITEM} -> 3
    FROM ${ident(LOG_SEGMENTS_TABLE)} AS "s", json_each("s"."rows") AS "r"
    WHERE ${reach.segments} AND ${reach.items}) AS ${ident(alias)}`;
}

/** How many entries there are, without taking a segment apart. */
export const COUNT_EVERY_ENTRY = sql`SELECT (SELECT COUNT(*) FROM ${ident(LOGS_TABLE)})
  + (SELECT COALESCE(SUM("count"), 0) FROM ${ident(LOG_SEGMENTS_TABLE)}) AS "n"`;

/**
 * `since` of a read over about the newest `segments` segments and `rows` rows: the later
 * of the `last` of the `segments`-th newest segment and the `created` of the `rows`-th
 * newest row, or NULL when there are fewer of both (the read is then the whole log).
 */
export function newestBound(segments: number, rows: number): Sql {
  return sql`SELECT MAX("since") AS "since" FROM (
    SELECT (SELECT "last" FROM ${ident(LOG_SEGMENTS_TABLE)} ORDER BY "last" DESC LIMIT 1 OFFSET ${segments - 1}) AS "since"
    UNION ALL SELECT (SELECT "created" FROM ${ident(LOGS_TABLE)} ORDER BY "created" DESC LIMIT 1 OFFSET ${rows - 1}))`;
}
