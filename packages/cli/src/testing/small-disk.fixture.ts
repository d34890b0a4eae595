/**
 * Test-only: a real, small file system (tmpfs) that a test can fill to the last byte
 * and free again. Mounting needs root; elsewhere the suites that use it are skipped with
 * the reason, except in CI (`CI=true`), where a skip would hide a failure.
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A mounted tmpfs of a fixed size. */
export interface SmallDisk {
  readonly path: string;
  /** Writes a filler file until the disk has no space left (ENOSPC). */
  fill(): void;
  /** Removes the filler file. */
  free(): void;
  /** Unmounts the disk and removes its mount point. */
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes`, or says why it cannot (a throw in CI). */
export async function mountSmallDisk(bytes: number): Promise<SmallDisk | { skip: string }> {
  const path = mkdtempSync(join(tmpdir(), 'tandem-small-disk-'));
  try {
    if (process.getuid?.() !== 0) throw new Error('mounting a tmpfs needs root');
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path]);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    const cause = `cannot mount a small disk (${(error as Error).message.trim()})`;
    if (process.env.CI) throw new Error(`${cause}: in CI the full-disk test must run, as root`);
    const reason = `${cause}; the full-disk test is skipped (run it as root)`;
    console.warn(reason);
    return { skip: reason };
  }
  return smallDiskAt(path);
}

function smallDiskAt(path: string): SmallDisk {
  const filler = join(path, 'filler');
  return {
    path,
    fill: () => fillUp(filler),
    free: () => rmSync(filler, { force: true }),
    async unmount() {
      await run('umount', [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

function fillUp(file: string): void {
  const fd = openSync(file, 'a');
  const block = Buffer.alloc(64 * 1024, 0x2e);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}
