import type { Logger } from '@tandem/server';

/** A minute between warnings: a full disk fails every batch, twice a second. */
const WARN_EVERY_MS = 60_000;

/**
 * Tells the operator that the request log is losing entries (a full disk, a broken log
 * file): the first failure at once, then at most one warning a minute, which counts what
 * was dropped since the last one. The server goes on answering either way; the total is
 * also `tandem_request_log_dropped_total` in the metrics.
 */
export function requestLogWarnings(
  logger: Pick<Logger, 'warn'>,
  now: () => number = Date.now,
): (error: unknown, dropped: number) => void {
  let lastWarned = Number.NEGATIVE_INFINITY;
  let droppedSince = 0;
  return (error, dropped) => {
    droppedSince += dropped;
    if (now() - lastWarned < WARN_EVERY_MS) return;
    lastWarned = now();
    const message =
      dropped > 0
        ? 'request log entries not stored; they are dropped and the server goes on'
        : 'old request log entries not deleted; tried again in a minute';
    logger.warn(message, { error: error instanceof Error ? error.message : String(error), dropped: droppedSince });
    droppedSince = 0;
  };
}
