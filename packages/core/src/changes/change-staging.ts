import { param, raw, sql, type Sql } from '../sql/sql.js';
import { QueryTemplate, slot } from '../store/query-template.js';
import type { Executor, Row } from '../store/store.js';

// Staged appends: how a PostgreSQL write logs its change without the counter row's lock.
//
// A write that took the next `seq` from the counter row would hold the row's lock
// through its COMMIT, so every write in the cluster would commit one at a time, a WAL
// flush each. Instead a write inserts its change into "_changesStaged" (a BIGSERIAL id,
// no lock), and a short transaction, the sequencer's pass, later moves every staged row
// it can see into "_changes" under the counter's lock, numbered in staged-id order. The
// writes commit side by side (PostgreSQL flushes them together); one flush per pass
// numbers them all.
//
// Why the order is still right:
// - A pass's statement starts after the pass holds the lock, so it sees every staged row
//   committed before then. Passes run one at a time (the lock), and each numbers its rows
//   after the last pass's.
// - If write B depends on write A (B changed a row A changed, so B waited for A's
//   commit, or B began after A was acknowledged), then any snapshot that sees B sees A:
//   A is moved in the same pass as B or an earlier one. In the same pass the staged ids
//   order them: B staged its change after A committed, A before it.
// - A row moves in one transaction with the counter's update: exactly once, or not at all
//   (a rolled-back pass leaves it staged for the next).

/** The change columns after `seq`, as "_changes" and "_changesStaged" both have them. */
export const CHANGE_VALUE_COLUMN_NAMES = `"collectionId", "collectionName", "action", "recordId", "record", "before", "created", "cascadeFrom"`;

/** Their definitions, in the same order. */
export const CHANGE_VALUE_COLUMNS = `"collectionId" TEXT NOT NULL, "collectionName" TEXT NOT NULL,
    "action" TEXT NOT NULL, "recordId" TEXT NOT NULL, "record" TEXT NOT NULL, "before" TEXT, "created" BIGINT NOT NULL,
    "cascadeFrom" TEXT`;

/**
 * The staging table and the column that tells which staged row a change came from (so a
 * writer whose row another instance's pass moved can find its `seq`). PostgreSQL only:
 * SQLite has one writer, which numbers its change in place.
 */
export function stagingStatements(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS "_changesStaged" ("id" BIGSERIAL PRIMARY KEY, ${CHANGE_VALUE_COLUMNS})`,
    `ALTER TABLE "_changes" ADD COLUMN IF NOT EXISTS "stagedId" BIGINT`,
    SEQUENCE_FUNCTION,
  ];
}

/** Where a staged change is: its row's id, and the counter as the write saw it (its `seq` will be above it). */
export interface StagedRow {
  readonly stagedId: string;
  readonly floor: number;
}

const VALUES = raw(CHANGE_VALUE_COLUMN_NAMES);

/** Stages the change whose values after `seq` are `at(0)`…`at(7)`; answers the staged row's id and floor. */
function stageStatement(at: (index: number) => Sql, after?: Sql): Sql {
  const values = sql`CAST(${at(0)} AS TEXT), CAST(${at(1)} AS TEXT), CAST(${at(2)} AS TEXT), CAST(${at(3)} AS TEXT),
      CAST(${at(4)} AS TEXT), CAST(${at(5)} AS TEXT), CAST(${at(6)} AS BIGINT), CAST(${at(7)} AS TEXT)`;
  const rows = after ? sql`SELECT ${values} FROM ${after}` : sql`VALUES (${values})`;
  return sql`INSERT INTO "_changesStaged" (${VALUES}) ${rows}
    RETURNING "id", (SELECT "seq" FROM "_changeSeq" WHERE "id" = 1) AS "floor"`;
}

/** Slots 0–7: the change's values after `seq`. */
const STAGE = new QueryTemplate(stageStatement(slot));

/** Stages a change in the writer's transaction (one statement, no lock). */
export async function stageChange(tx: Executor, values: readonly unknown[]): Promise<StagedRow> {
  return stagedRowOf(await tx.first(STAGE.bind(values)));
}

/**
 * `write` (an INSERT or UPDATE of the record's row, with a RETURNING clause, whose slots
 * are 0…`slots` − 1) and the staging of its change (slots `slots`…`slots` + 7) as one
 * statement: one round trip instead of two. Answers no row when `write` wrote none.
 *
 * NB: the staging selects from the write's rows so that it runs after the write. A WITH
 * that nothing reads runs after the main statement, so the staged id would be drawn
 * before the write waited for another writer's lock on the row: a write that depends on
 * that writer could get the smaller staged id, and be numbered before it.
 */
export function writeAndStage(write: Sql, slots: number): Sql {
  return sql`WITH "written" AS (${write}) ${stageStatement((i) => slot(slots + i), WRITTEN)}`;
}

/** As writeAndStage, for a statement built per call: the change's values are bound here. */
export function writeAndStageValues(write: Sql, values: readonly unknown[]): Sql {
  return sql`WITH "written" AS (${write}) ${stageStatement((i) => param(values[i]), WRITTEN)}`;
}

const WRITTEN = raw('"written"');

/** The staged row's id and floor from the row a staging statement answered. */
export function stagedRowOf(row: Row | undefined): StagedRow {
  return { stagedId: String(row!.id), floor: Number(row!.floor) };
}

/** Rows a pass moves at most, so that one transaction never holds the lock over a long backlog. */
export const MOVE_LIMIT = 1000;

/**
 * A pass as one function, so that it costs one round trip: takes the counter's lock,
 * then (a new statement, so a new snapshot: it sees every staged row committed before
 * the lock was granted) moves up to `max_rows` staged rows into the log numbered after
 * the counter in staged-id order, and advances the counter past them. The lock comes
 * first in its own statement: two passes that locked staged rows before the counter
 * would deadlock.
 */
const SEQUENCE_FUNCTION = `CREATE OR REPLACE FUNCTION "_changesSequence"(max_rows BIGINT)
  RETURNS TABLE ("movedSeq" BIGINT, "movedId" BIGINT) LANGUAGE plpgsql AS $$
  DECLARE head BIGINT; moved BIGINT;
  BEGIN
    SELECT c."seq" INTO head FROM "_changeSeq" c WHERE c."id" = 1 FOR UPDATE;
    RETURN QUERY WITH "taken" AS (
        DELETE FROM "_changesStaged" s WHERE s."id" IN (SELECT t."id" FROM "_changesStaged" t ORDER BY t."id" LIMIT max_rows)
        RETURNING s.*),
      "numbered" AS (SELECT head + row_number() OVER (ORDER BY "taken"."id") AS "n", "taken".* FROM "taken"),
      "kept" AS (INSERT INTO "_changes" ("seq", ${CHANGE_VALUE_COLUMN_NAMES}, "stagedId")
        SELECT "numbered"."n", ${CHANGE_VALUE_COLUMN_NAMES.replace(/"(\w+)"/g, '"numbered"."$1"')}, "numbered"."id" FROM "numbered")
      SELECT "numbered"."n", "numbered"."id" FROM "numbered" ORDER BY "numbered"."n";
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved > 0 THEN UPDATE "_changeSeq" SET "seq" = head + moved WHERE "id" = 1; END IF;
  END $$`;

/** Slot 0: the limit. Answers each moved row's `seq` and staged id, in order. */
const MOVE = new QueryTemplate(
  sql`SELECT "movedSeq" AS "seq", "movedId" AS "stagedId" FROM "_changesSequence"(CAST(${slot(0)} AS BIGINT))`,
);

const ANY_STAGED = new QueryTemplate(sql`SELECT EXISTS (SELECT 1 FROM "_changesStaged") AS "any"`);

/** True when a committed staged row is waiting (read without a lock). */
export async function anyStaged(store: Executor): Promise<boolean> {
  const row = await store.first<{ any: unknown }>(ANY_STAGED.bind([]));
  return row?.any === true;
}

/**
 * Moves up to MOVE_LIMIT staged rows into the log in staged-id order, under the
 * counter's lock (held until the transaction of `executor` ends: outside one, at once).
 * Returns the moved rows' staged ids and `seq`s, in order.
 */
export async function moveStaged(executor: Executor): Promise<{ stagedId: string; seq: number }[]> {
  const rows = await executor.all<{ seq: unknown; stagedId: unknown }>(MOVE.bind([MOVE_LIMIT]));
  return rows.map((row) => ({ stagedId: String(row.stagedId), seq: Number(row.seq) }));
}
