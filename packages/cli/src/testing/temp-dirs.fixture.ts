import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * Makes temporary directories for one test file, synchronously, and removes them once the
 * file's tests have run, so that a test run leaves nothing in the system's temp folder.
 * Call it at the top of the file (its cleanup is a file-level `after` hook).
 * @example const tempDir = tempDirsOfThisFile(); const dir = tempDir('tandem-config-');
 */
export function tempDirsOfThisFile(): (prefix: string) => string {
  const made: string[] = [];
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
