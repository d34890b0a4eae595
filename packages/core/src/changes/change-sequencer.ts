import { join, sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import type { ChangeEvent } from './change-log.js';
import type { StagedChange } from './change-recorder.js';
import { anyStaged, MOVE_LIMIT, moveStaged } from './change-staging.js';

/** How many moved rows' `seq`s a sequencer remembers for the writers waiting on them. */
const REMEMBERED = 10_000;

/** Staged ids looked up per statement when reading `seq`s back. */
const IDS_PER_READ = 10_000;

/**
 * Numbers the changes PostgreSQL writes staged (see change-staging.ts): runs the passes
 * that move staged rows into the log, one at a time per process, and tells each writer
 * the `seq` its changes got. A writer waits for this before its write is acknowledged,
 * so that an acknowledged write is in the log, with a `seq`, like one that took the
 * counter itself; the passes of concurrent writers are shared, one flush numbering many.
 */
export class ChangeSequencer {
  readonly #store: Store;
  /** Staged id → `seq`, for rows this process's passes moved and no writer asked for yet. */
  readonly #moved = new Map<string, number>();
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  /** @param store the store without change notifications (a pass logs no change of its own). */
  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Resolves once every change staged and committed before the call is in the log: after
   * passes that started after the call moved all there was. Rejects when the database
   * cannot be reached; the rows then stay staged for a later pass.
   */
  drain(): Promise<void> {
    if (this.#running === undefined) {
      this.#running = this.#passes().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    // A pass under way may have read the staged rows before the caller's commit: the
    // caller needs the next one, which every caller arriving meanwhile shares.
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.drain();
      });
    return this.#next;
  }

  /**
   * The events of one committed transaction's staged changes with their `seq`s, in `seq`
   * order, once they are in the log. A change whose `seq` cannot be learned (the
   * database went away after the commit) is left out: it is still staged, and the feed's
   * poll moves it and reads it from the log.
   */
  async sequence(staged: readonly StagedChange[]): Promise<ChangeEvent[]> {
    try {
      await this.drain();
    } catch {
      return [];
    }
    const events: ChangeEvent[] = [];
    const elsewhere: StagedChange[] = [];
    for (const change of staged) {
      const seq = this.#moved.get(change.stagedId);
      if (seq === undefined) elsewhere.push(change);
      else {
        this.#moved.delete(change.stagedId);
        events.push({ ...change.event, seq });
      }
    }
    if (elsewhere.length > 0) events.push(...(await this.#readSeqs(elsewhere).catch(() => [])));
    return events.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Drains when a committed change is waiting: what the feed's poll runs, where a pass
   * that found nothing would still lock the counter and flush a commit.
   */
  async sweep(): Promise<void> {
    if (await anyStaged(this.#store)) await this.drain();
  }

  async #passes(): Promise<void> {
    for (;;) {
      // One statement outside a transaction: the pass commits as it returns.
      const moved = await moveStaged(this.#store);
      for (const row of moved) this.#remember(row.stagedId, row.seq);
      if (moved.length < MOVE_LIMIT) return;
    }
  }

  #remember(stagedId: string, seq: number): void {
    this.#moved.set(stagedId, seq);
    // Rows of other processes are remembered too, and nobody asks for them: the oldest go.
    if (this.#moved.size > REMEMBERED) this.#moved.delete(this.#moved.keys().next().value as string);
  }

  /**
   * The `seq`s of staged changes another pass moved (another instance's, or a write that
   * took the counter): each is above the counter its write saw, so the search is a range
   * of the log's key from the lowest of those.
   */
  async #readSeqs(changes: readonly StagedChange[]): Promise<ChangeEvent[]> {
    // NB: not Math.min(...floors): a large cascade stages more changes than a call takes arguments.
    const floor = changes.reduce((lowest, change) => Math.min(lowest, change.floor), Number.POSITIVE_INFINITY);
    const seqs = new Map<string, number>();
    // In slices: a statement takes at most 65,535 parameters.
    for (let start = 0; start < changes.length; start += IDS_PER_READ) {
      const ids = changes.slice(start, start + IDS_PER_READ).map((change) => sql`${change.stagedId}`);
      const rows = await this.#store.all<{ seq: unknown; stagedId: unknown }>(
        sql`SELECT "seq", "stagedId" FROM "_changes" WHERE "seq" > ${floor} AND "stagedId" IN (${join(ids)})`,
      );
      for (const row of rows) seqs.set(String(row.stagedId), Number(row.seq));
    }
    return changes.flatMap((change) => {
      const seq = seqs.get(change.stagedId);
      return seq === undefined ? [] : [{ ...change.event, seq }];
    });
  }
}
