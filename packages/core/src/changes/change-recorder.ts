import type { Executor } from '../store/store.js';
import type { ChangeEvent } from './change-log.js';

/**
 * The changes one transaction appended to the change log, kept for the moment it
 * commits: then the change-notifying store tells caches which collections moved and
 * hands the events to the feed without reading them back. A rolled-back transaction's
 * recorder is simply dropped.
 */
export class ChangeRecorder {
  readonly #collectionIds = new Set<string>();
  readonly #events: ChangeEvent[] = [];

  /** Notes one appended change (in `seq` order). */
  record(event: ChangeEvent): void {
    this.#collectionIds.add(event.collectionId);
    this.#events.push(event);
  }

  /** True when nothing was appended (there is nothing to publish). */
  get isEmpty(): boolean {
    return this.#events.length === 0;
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
