import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { changeLogLayout, changeLogSize, rekeyChangeLog } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import type { TandemConfig } from '../config/config.js';
import { isPostgresUrl, openStore } from '../compose/open-store.js';

/** Free space kept beyond the rebuild's own need: the server must still be able to start and write after it. */
export const SPARE_BYTES = 64 * 1024 * 1024;

/**
 * `tandem migrate change-log`: rebuilds a SQLite change log made before `seq` became the
 * table's rowid, so that each write updates one b-tree page fewer. The rebuild writes the
 * whole log to the WAL and again into the file, so it first checks that the disk has
 * twice the log's size free plus SPARE_BYTES, and refuses otherwise: on a disk too full
 * for it the rebuild would fail (leaving the old log whole) with the WAL grown to fill
 * the disk. Run it with the server stopped; a running server would wait for its writes.
 */
export async function rekeyChangeLogCommand(
  config: Pick<TandemConfig, 'db' | 'sqliteSynchronous'>,
  out: (line: string) => void,
): Promise<number> {
  if (isPostgresUrl(config.db)) return (out('the change log on PostgreSQL needs no rebuild'), 0);
  const store = await openStore(config);
  try {
    const layout = await changeLogLayout(store);
    if (layout === 'none') return (out(`no change log in ${config.db} (tandem serve makes it at its first start)`), 0);
    if (layout === 'current') return (out('the change log is in the current layout already'), 0);
    const { rows, bytes } = await changeLogSize(store);
    const needed = 2 * bytes + SPARE_BYTES;
    const free = freeBytes(dirname(config.db));
    if (free < needed)
      throw new CliError(
        `not enough free space to rebuild the change log (${rows} changes): it needs about ${mb(needed)} free beside ${config.db}, ${mb(free)} is; nothing was changed`,
      );
    out(`rebuilding the change log (${rows} changes, about ${mb(bytes)})…`);
    const kept = await rekeyChangeLog(store).catch((error: unknown) => {
      // One transaction: whatever stopped it (a disk filled by something else meanwhile), the old log is whole.
      throw new CliError(`the rebuild failed (${(error as Error).message}); the change log is kept as it was`);
    });
    out(kept === undefined ? 'the change log was rebuilt by another process' : `rebuilt: ${kept} changes kept`);
    return 0;
  } finally {
    await store.close();
  }
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
