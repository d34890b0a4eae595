import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectionsCommand } from './collections-command.js';

/** Runs `tandem collections …` in-process, with standard error a terminal or not. */
async function run(args: string[], stderrIsTTY: boolean) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await collectionsCommand(args, (line) => stdout.push(line), {
    isTTY: stderrIsTTY,
    write: (text: string) => stderr.push(text),
  });
  return { code, stdout, stderr };
}

describe('tandem collections: progress and summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-collections-'));
  const file = join(dir, 'c.json');
  writeFileSync(
    file,
    JSON.stringify(['a', 'b', 'c'].map((name) => ({ name, type: 'base', fields: [{ name: 'title', type: 'text' }] }))),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows import progress on a terminal, erases it, then prints the summary', async () => {
    const result = await run(['import', file, '--dir', dir], true);
    assert.equal(result.code, 0);
    assert.deepEqual(result.stderr, [
      '\rimporting 3 collections… 1/3',
      '\rimporting 3 collections… 2/3',
      '\rimporting 3 collections… 3/3',
      '\r\x1b[K',
    ]);
    assert.deepEqual(result.stdout, ['created 3, updated 0, unchanged 0, deleted 0']);
  });

  it('prints only the summary when standard error is not a terminal', async () => {
    const result = await run(['import', file, '--dir', dir], false);
    assert.deepEqual(result.stderr, []);
    assert.deepEqual(result.stdout, ['created 0, updated 0, unchanged 3, deleted 0']);
  });

  it('prints the export summary on standard output when the export goes to a file', async () => {
    const out = join(dir, 'export.json');
    const result = await run(['export', '--out', out, '--dir', dir], false);
    assert.deepEqual(result.stdout, [`exported 3 collections to ${out}`]);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).length, 3);
  });

  it('prints the export summary on standard error when the export itself goes to standard output', async () => {
    const result = await run(['export', '--dir', dir], true);
    assert.equal(result.stdout.length, 1);
    assert.deepEqual(
      JSON.parse(result.stdout[0]!)
        .map((c: { name: string }) => c.name)
        .sort(),
      ['a', 'b', 'c'],
    );
    assert.equal(result.stderr.at(-1), 'exported 3 collections\n');
    assert.ok(result.stderr.includes('\rexporting 3 collections… 3/3'));
  });

  it('prints neither progress nor summary with --quiet', async () => {
    assert.deepEqual(await run(['import', file, '--quiet', '--dir', dir], true), { code: 0, stdout: [], stderr: [] });
    const exported = await run(['export', '-q', '--dir', dir], true);
    assert.deepEqual(exported.stderr, []);
    assert.equal(JSON.parse(exported.stdout[0]!).length, 3, 'the export itself is not chatter');
  });
});
