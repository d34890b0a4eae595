import type { RecordData } from '../schema/principal.js';
import type { Collection } from '../schema/collection.js';
import { raw, sql } from '../sql/sql.js';
import { QueryTemplate, slot } from '../store/query-template.js';
import type { Dialect } from '../store/dialect.js';
import type { Executor, Store } from '../store/store.js';
import { recorderOf } from './change-recorder.js';
import {
  CHANGE_VALUE_COLUMN_NAMES,
  CHANGE_VALUE_COLUMNS,
  MOVE_LIMIT,
  moveStaged,
  stageChange,
  stagingStatements,
  type StagedRow,
} from './change-staging.js';

/** What happened to a record. */
export type ChangeAction = 'create' | 'update' | 'delete';

/** A record deleted earlier in the same cascade, which the deleted record referenced. */
export interface CascadeParent {
  readonly collectionId: string;
  readonly record: RecordData;
}

/**
 * One committed change, as the change log keeps it. `record` is the record after the
 * change (before it, for a delete); `before` is the record before an update. Auth
 * secrets (password hash, tokenKey) are never stored here.
 */
export interface ChangeEvent {
  readonly seq: number;
  readonly collectionId: string;
  readonly collectionName: string;
  readonly action: ChangeAction;
  readonly recordId: string;
  readonly record: RecordData;
  readonly before?: RecordData;
  /**
   * For a delete by cascade: the deleted records the cascade came through, nearest first.
   * Realtime decides who may see the delete with them restored, as PocketBase checks a
   * cascaded delete against the database as it was before the delete.
   */
  readonly cascadeFrom?: readonly CascadeParent[];
  /** Milliseconds since the epoch, at append. */
  readonly created: number;
}

const LOG = '"_changes"';
const COUNTER = '"_changeSeq"';

/**
 * The statements that create the change log and its sequence floor (same SQL on both
 * databases but for `seq`'s type: on SQLite, `INTEGER PRIMARY KEY` makes it the table's
 * rowid, so that an append writes one b-tree page rather than a table page and an index
 * page). On PostgreSQL "_changeSeq" is the counter every write increments; on SQLite,
 * where a write takes the newest `seq` plus one, it is the floor that trimming keeps,
 * so that a log trimmed empty still continues its sequence. PostgreSQL also gets the
 * staging table of change-staging.ts.
 */
export function changeLogStatements(dialect: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${LOG} (${changeLogColumns(dialect)})`,
    `CREATE TABLE IF NOT EXISTS ${COUNTER} ("id" INTEGER PRIMARY KEY NOT NULL, "seq" BIGINT NOT NULL)`,
    `INSERT INTO ${COUNTER} ("id", "seq") VALUES (1, 0) ON CONFLICT ("id") DO NOTHING`,
    ...(dialect.oneWriter ? [] : stagingStatements()),
  ];
}

/** The change log's column definitions, `seq` first. */
function changeLogColumns(dialect: Dialect): string {
  return `"seq" ${dialect.bigIntType} PRIMARY KEY NOT NULL, ${CHANGE_VALUE_COLUMNS}`;
}

/** The change log's column names, in the order of changeLogColumns. */
const CHANGE_COLUMN_NAMES = `"seq", ${CHANGE_VALUE_COLUMN_NAMES}`;

/**
 * Adds the `cascadeFrom` column to a change log created before it existed. It asks for the
 * table's columns, as SQLite has no ADD COLUMN IF NOT EXISTS; a probing SELECT that fails
 * would end a PostgreSQL transaction, and this runs in the setup's (see CollectionService.load).
 *
 * NB: a SQLite log made before `seq` became the rowid keeps its `BIGINT` key: every path
 * reads and writes it correctly, at one more index page a write, until `tandem migrate
 * change-log` rebuilds it (rekeyChangeLog). It is not rebuilt at open: a rebuild writes a
 * second copy of the log (up to the retention's 100,000 changes) to the WAL, which on a nearly full disk fails and leaves the WAL grown to fill it, so
 * that a server which started before would no longer start.
 */
export async function upgradeChangeLog(store: Executor): Promise<void> {
  const columns = await store.all<{ name: string }>(store.dialect.columnsQuery('_changes'));
  if (!columns.some((column) => column.name === 'cascadeFrom'))
    await store.exec(`ALTER TABLE ${LOG} ADD COLUMN "cascadeFrom" TEXT`);
}

/**
 * The change log's layout: `old` when this SQLite log keeps `seq` as a `BIGINT` key beside
 * the rowid (made before `seq` became the rowid), so that every write updates one more
 * b-tree page (`rekeyChangeLog` moves it); `none` before the first start made it;
 * `current` otherwise, and always on PostgreSQL.
 */
export async function changeLogLayout(store: Executor): Promise<'current' | 'old' | 'none'> {
  const columns = await store.all<{ name: string; type: string }>(store.dialect.columnsQuery('_changes'));
  const seq = columns.find((column) => column.name === 'seq');
  if (seq === undefined) return 'none';
  const old = store.dialect.oneWriter && seq.type.toUpperCase() !== store.dialect.bigIntType.toUpperCase();
  return old ? 'old' : 'current';
}

/**
 * The number of changes kept and roughly the bytes they take (their text and a row's
 * overhead): a rebuild writes that much to the WAL, and as much again to the file.
 */
export async function changeLogSize(store: Executor): Promise<{ rows: number; bytes: number }> {
  const row = await store.first<{ rows: unknown; bytes: unknown }>(
    sql`SELECT COUNT(*) AS "rows", COALESCE(SUM(LENGTH("record") + COALESCE(LENGTH("before"), 0)
      + COALESCE(LENGTH("cascadeFrom"), 0) + LENGTH("collectionId") + LENGTH("collectionName") + LENGTH("recordId") + 64), 0)
      AS "bytes" FROM "_changes"`,
  );
  return { rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/**
 * Rebuilds a SQLite change log whose `seq` is a `BIGINT` key (changeLogLayout `old`) in the
 * layout of changeLogStatements, keeping every row, in one transaction: a failure (a
 * full disk) leaves the old log whole. Returns the rows kept, or undefined when there
 * was nothing to rebuild. NB: never run at open (see upgradeChangeLog); the CLI's
 * `tandem migrate change-log` checks the free space first.
 */
export async function rekeyChangeLog(store: Store): Promise<number | undefined> {
  return store.transaction(async (tx) => {
    if ((await changeLogLayout(tx)) !== 'old') return undefined; // current layout, or another process rebuilt it first
    await tx.exec(`CREATE TABLE "_changes_rekeyed" (${changeLogColumns(tx.dialect)});
      INSERT INTO "_changes_rekeyed" (${CHANGE_COLUMN_NAMES}) SELECT ${CHANGE_COLUMN_NAMES} FROM ${LOG} ORDER BY "seq";
      DROP TABLE ${LOG};
      ALTER TABLE "_changes_rekeyed" RENAME TO ${LOG};`);
    return (await changeLogSize(tx)).rows;
  });
}

/**
 * Appends a change in the writer's transaction (the transactional outbox), and notes it
 * in the transaction's recorder (see ChangeRecorder) for publication after commit.
 * SQLite has one writer, which takes the newest `seq` plus one. On PostgreSQL a write
 * whose store sequences after commit (its recorder is `staging`: the change-notifying
 * store with a ChangeSequencer) stages the change without a lock (change-staging.ts);
 * any other write moves what is staged and then increments the counter row, whose lock
 * is held until commit: either way two writers never commit out of `seq` order, so a
 * reader that has seen `seq` n has seen everything before it.
 */
export async function appendChange(
  tx: Executor,
  collection: Collection,
  action: ChangeAction,
  record: RecordData,
  before?: RecordData,
  cascadeFrom?: readonly CascadeParent[],
): Promise<void> {
  const change = prepareChange(collection, action, record, before, cascadeFrom);
  if (stagesChanges(tx)) return noteStaged(tx, change, await stageChange(tx, change.values));
  const seq = tx.dialect.oneWriter
    ? await appendAfterNewest(tx, change.values)
    : await appendWithCounter(tx, change.values);
  recorderOf(tx)?.record({ ...change.event, seq });
}

/** A change about to be logged: its row's values after `seq`, and its event (`seq` 0 until it has one). */
export interface PreparedChange {
  readonly values: ChangeValues;
  readonly event: ChangeEvent;
}

/** The values and the event of a change, auth secrets left out. */
export function prepareChange(
  collection: Collection,
  action: ChangeAction,
  record: RecordData,
  before?: RecordData,
  cascadeFrom?: readonly CascadeParent[],
): PreparedChange {
  const recordJson = JSON.stringify(withoutSecrets(collection, record));
  const beforeJson = before ? JSON.stringify(withoutSecrets(collection, before)) : null;
  const cascadeJson = cascadeFrom?.length ? JSON.stringify(cascadeFrom) : null;
  const created = Date.now();
  const values = [
    collection.id,
    collection.name,
    action,
    record.id,
    recordJson,
    beforeJson,
    created,
    cascadeJson,
  ] as const;
  // The event as readChanges would return it: parsed from the same JSON, so nothing the
  // writer does to its objects afterwards can show through.
  const event = toEvent({
    seq: 0,
    collectionId: collection.id,
    collectionName: collection.name,
    action,
    recordId: record.id,
    record: recordJson,
    before: beforeJson,
    created,
    cascadeFrom: cascadeJson,
  });
  return { values, event };
}

/**
 * True when `tx` stages its changes: PostgreSQL, in a transaction of a store that
 * sequences after commit. A write may then stage its change in the statement that writes
 * the row (change-staging.ts `writeAndStage`), and note it with `noteStaged`.
 */
export function stagesChanges(tx: Executor): boolean {
  return !tx.dialect.oneWriter && recorderOf(tx)?.staging === true;
}

/** Notes a staged change in the transaction's recorder; the sequencer gives it its `seq` after commit. */
export function noteStaged(tx: Executor, change: PreparedChange, row: StagedRow): void {
  recorderOf(tx)!.stage(change.event, row);
}

/** A change row's values after `seq`: collection id and name, action, record id, record, before, created, cascadeFrom. */
export type ChangeValues = readonly [
  string,
  string,
  ChangeAction,
  string,
  string,
  string | null,
  number,
  string | null,
];

// The append's statements are rendered once per dialect (QueryTemplate): a write binds
// its values and builds no SQL text.
const CHANGE_COLUMNS = raw(CHANGE_COLUMN_NAMES);

/** Slots 0–7: the ChangeValues; `seq` comes from the counter in the same statement. */
const APPEND_IN_ONE_STATEMENT = new QueryTemplate(
  sql`WITH "next" AS (UPDATE "_changeSeq" SET "seq" = "seq" + 1 WHERE "id" = ${1} RETURNING "seq")
    INSERT INTO "_changes" (${CHANGE_COLUMNS})
    SELECT "next"."seq", CAST(${slot(0)} AS TEXT), CAST(${slot(1)} AS TEXT), CAST(${slot(2)} AS TEXT),
      CAST(${slot(3)} AS TEXT), CAST(${slot(4)} AS TEXT), CAST(${slot(5)} AS TEXT), CAST(${slot(6)} AS BIGINT),
      CAST(${slot(7)} AS TEXT)
    FROM "next" RETURNING "seq"`,
);
/** Slot 0: `seq`; slots 1–8: the ChangeValues. */
const INSERT_CHANGE = new QueryTemplate(
  sql`INSERT INTO "_changes" (${CHANGE_COLUMNS})
    VALUES (${slot(0)}, ${slot(1)}, ${slot(2)}, ${slot(3)}, ${slot(4)}, ${slot(5)}, ${slot(6)}, ${slot(7)}, ${slot(8)})`,
);

/**
 * Takes the next `seq` from the counter and inserts the row in one statement (one round
 * trip), after moving every staged change this transaction can see into the log: a
 * staged change this write depends on (it changed the same row first) must come before
 * it. Moving takes the counter's lock, which the append would take anyway.
 */
async function appendWithCounter(tx: Executor, values: ChangeValues): Promise<number> {
  while ((await moveStaged(tx)).length === MOVE_LIMIT) {
    // a backlog longer than one move: move the rest before numbering this change
  }
  const row = await tx.first<{ seq: unknown }>(APPEND_IN_ONE_STATEMENT.bind(values));
  return Number(row!.seq);
}

/**
 * Inserts the row at the newest `seq` plus one (one writer: no other write can come
 * between the read and the insert). Reading the newest `seq` from the rowid's b-tree and
 * the floor is cheaper than incrementing a counter: an UPDATE, and one more page for the
 * commit to write.
 */
async function appendAfterNewest(tx: Executor, values: ChangeValues): Promise<number> {
  const seq = (await headSeq(tx)) + 1;
  await tx.run(INSERT_CHANGE.bind([seq, ...values]));
  return seq;
}

/** Reads committed changes after `afterSeq`, in order. */
export async function readChanges(store: Executor, afterSeq: number, limit = 1000): Promise<ChangeEvent[]> {
  const rows = await store.all<Record<string, unknown>>(
    sql`SELECT * FROM "_changes" WHERE "seq" > ${afterSeq} ORDER BY "seq" LIMIT ${limit}`,
  );
  return rows.map(toEvent);
}

/**
 * The newest committed sequence number (0 for an empty database): the newest row's, or
 * the floor that trimming left when it took every row.
 */
export async function headSeq(store: Executor): Promise<number> {
  const row = await store.first<{ newest: unknown; floor: unknown }>(HEAD_SEQ.bind(NO_ARGS));
  return Math.max(Number(row?.newest ?? 0), Number(row?.floor ?? 0));
}

const HEAD_SEQ = new QueryTemplate(
  sql`SELECT (SELECT MAX("seq") FROM "_changes") AS "newest", "seq" AS "floor" FROM "_changeSeq" WHERE "id" = ${1}`,
);
const NO_ARGS: readonly unknown[] = [];

/** The oldest sequence number still kept, or undefined when the log is empty. */
export async function oldestSeq(store: Executor): Promise<number | undefined> {
  const row = await store.first<{ seq: unknown }>(sql`SELECT MIN("seq") AS "seq" FROM "_changes"`);
  return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
}

/**
 * Retention: drops changes older than `maxAgeMs` and beyond the newest `maxCount`. The
 * head goes to the floor first, in the same transaction, so that the sequence continues
 * from it however many rows go (on PostgreSQL the counter is at the head already, and
 * the UPDATE changes nothing).
 */
export async function trimChanges(
  store: Store,
  options: { maxAgeMs: number; maxCount: number },
  now = Date.now(),
): Promise<number> {
  return store.transaction(async (tx) => {
    const head = await headSeq(tx);
    await tx.run(sql`UPDATE "_changeSeq" SET "seq" = ${head} WHERE "id" = ${1} AND "seq" < ${head}`);
    const result = await tx.run(
      sql`DELETE FROM "_changes" WHERE "created" < ${now - options.maxAgeMs} OR "seq" <= ${head - options.maxCount}`,
    );
    return result.changes;
  });
}

function toEvent(row: Record<string, unknown>): ChangeEvent {
  let event: ChangeEvent = {
    seq: Number(row.seq),
    collectionId: String(row.collectionId),
    collectionName: String(row.collectionName),
    action: row.action as ChangeAction,
    recordId: String(row.recordId),
    record: JSON.parse(String(row.record)) as RecordData,
    created: Number(row.created),
  };
  if (row.before) event = { ...event, before: JSON.parse(String(row.before)) as RecordData };
  if (row.cascadeFrom) event = { ...event, cascadeFrom: JSON.parse(String(row.cascadeFrom)) as CascadeParent[] };
  return event;
}

/** A deleted record as a later delete of its cascade carries it (auth secrets left out). */
export function cascadeParentOf(collection: Collection, record: RecordData): CascadeParent {
  return { collectionId: collection.id, record: withoutSecrets(collection, record) };
}

function withoutSecrets(collection: Collection, record: RecordData): RecordData {
  if (collection.type !== 'auth') return record;
  const { password: _p, tokenKey: _t, ...rest } = record;
  return rest as RecordData;
}
