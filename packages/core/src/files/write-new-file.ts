import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/app-error.js';

/**
 * Streams `source`, through `through` when given, into a file at `path` that must not
 * exist yet (EEXIST otherwise). On any failure the file this call created is removed and
 * the error rethrown; a full disk (ENOSPC, EDQUOT) as 507 STORAGE_FULL, which a client
 * can act on, where the system error would be a 500.
 *
 * pipeline() rejects as soon as one stream fails, which may be before the file's open
 * has run on the thread pool; a removal made then can run first, and the open creates
 * the file afterwards, left behind for good. So the removal waits for the file to close.
 */
export async function writeNewFile(path: string, source: Readable, through?: Transform): Promise<void> {
  const file = createWriteStream(path, { flags: 'wx' });
  let created = false;
  file.once('open', () => (created = true));
  try {
    await (through ? pipeline(source, through, file) : pipeline(source, file));
  } catch (error) {
    if (!file.closed) await new Promise<void>((closed) => file.once('close', () => closed()));
    // Only what this call created: with EEXIST the file belongs to someone else.
    if (created) await rm(path, { force: true });
    throw isDiskFull(error) ? new AppError('STORAGE_FULL') : error;
  }
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
