import type { Executor } from '../store/store.js';
import type { ChangeEvent } from './change-log.js';
import type { StagedRow } from './change-staging.js';

/** A change staged without a `seq` (PostgreSQL; see change-staging.ts): the event, `seq` 0 until sequenced. */
export interface StagedChange extends StagedRow {
  readonly event: ChangeEvent;
}

/**
 * The changes one transaction appended to the change log, kept for the moment it
 * commits: then the change-notifying store tells caches which collections moved and
 * hands the events to the feed without reading them back. A rolled-back transaction's
 * recorder is simply dropped.
 */
export class ChangeRecorder {
  readonly #collectionIds = new Set<string>();
  readonly #events: ChangeEvent[] = [];
  readonly #staged: StagedChange[] = [];

  /**
   * @param staging true when the store sequences staged changes after commit, so that a
   *   PostgreSQL write may stage its changes instead of taking the counter's lock.
   */
  constructor(readonly staging = false) {}

  /** Notes one appended change (in `seq` order). */
  record(event: ChangeEvent): void {
    this.#collectionIds.add(event.collectionId);
    this.#events.push(event);
  }

  /** Notes one staged change (in staging order), to be sequenced after commit. */
  stage(event: ChangeEvent, row: StagedRow): void {
    this.#collectionIds.add(event.collectionId);
    this.#staged.push({ event, stagedId: row.stagedId, floor: row.floor });
  }

  /** True when nothing was appended or staged (there is nothing to publish). */
  get isEmpty(): boolean {
    return this.#events.length === 0 && this.#staged.length === 0;
  }

  /** The changes staged without a `seq`. */
  get staged(): readonly StagedChange[] {
    return this.#staged;
  }

  /** The ids of the collections whose records the transaction changed. */
  get collectionIds(): ReadonlySet<string> {
    return this.#collectionIds;
  }

  /** The changes the transaction appended, in `seq` order. */
  get events(): readonly ChangeEvent[] {
    return this.#events;
  }
}

/** A transaction's executor that carries the recorder of that transaction. */
export interface RecordingExecutor extends Executor {
  readonly changes: ChangeRecorder;
}

/** The recorder of a transaction's executor; undefined for executors of stores that publish nothing (tests, tools). */
export function recorderOf(tx: Executor): ChangeRecorder | undefined {
  const changes = (tx as Partial<RecordingExecutor>).changes;
  return changes instanceof ChangeRecorder ? changes : undefined;
}
