import type { RequestLogBatch } from './log-batch.js';
import type { LogStore } from './log-store.js';

/**
 * Where the LogWriter's batches go. A sink may write in another thread (a SQLite
 * server's log file has a worker of its own); a failed write rejects, and the writer
 * drops and counts its entries.
 */
export interface LogSink {
  /**
   * Stores a batch's entries (all or none). It may take the batch's buffer (transfer it
   * to another thread): the caller reads nothing of the batch but its `count` after.
   */
  write(batch: RequestLogBatch): Promise<void>;
  /** Deletes entries created before `cutoff` (PocketBase's datetime text); resolves with how many. */
  deleteBefore(cutoff: string): Promise<number>;
  /** Releases what the sink holds; called once, after its last write. */
  close(): Promise<void>;
}

/** A sink that writes through a LogStore in this thread (PostgreSQL, tests). */
export function storeLogSink(store: LogStore): LogSink {
  return {
    write: (batch) => store.insertRequests(batch),
    deleteBefore: (cutoff) => store.deleteBefore(cutoff),
    close: () => Promise.resolve(),
  };
}
