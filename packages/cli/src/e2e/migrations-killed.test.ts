import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { createTempDir, createTestPostgresDatabase, postgresSkipReason } from '@tandem/core/testing';
import { runTandem, tandemBin } from '../testing/spawn-tandem.fixture.js';

const LOCK = 4242;

/** Resolves once some session waits for the advisory lock `LOCK` (the migration reached its blocking step). */
async function untilWaitingForLock(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS "n" FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`,
      [LOCK],
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A migration is held half-way by an advisory lock the test owns, so the process is killed
// at a known step without any timing; PostgreSQL only (SQLite has no lock to wait on).
describe('a migration killed half-way (postgres)', { skip: postgresSkipReason }, () => {
  it('leaves the old schema, and the next run applies it whole', async (t) => {
    const dir = await createTempDir();
    t.after(dir.remove);
    const database = await createTestPostgresDatabase();
    t.after(database.drop);
    const flags = ['--dir', dir.path, '--db', database.url, '--migrations', join(dir.path, 'migrations')];
    await mkdir(join(dir.path, 'migrations'));
    await writeFile(
      join(dir.path, 'migrations', '1_halfway.json'),
      JSON.stringify({
        up: [
          { op: 'create', collection: { name: 'halfway', fields: [{ name: 'text', type: 'text' }] } },
          { op: 'sql', sql: `SELECT pg_advisory_xact_lock(${LOCK})` },
          { op: 'create', collection: { name: 'after_lock', fields: [] } },
        ],
      }),
    );
    const holder = new pg.Client({ connectionString: database.url });
    // The teardown force-drops the database under this connection.
    holder.on('error', () => undefined);
    await holder.connect();
    t.after(() => holder.end());
    await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);

    const child = spawn(process.execPath, [tandemBin, 'migrate', 'up', ...flags], { stdio: 'ignore' });
    await untilWaitingForLock(holder);
    child.kill('SIGKILL');
    await once(child, 'exit');

    const { rows } = await holder.query(`SELECT to_regclass('public.halfway') AS "table"`);
    assert.equal(rows[0].table, null, 'the first step is not visible');
    const status = await runTandem(['migrate', 'status', ...flags]);
    assert.match(status.stdout, /pending\s+1_halfway\.json/);

    // The killed client's session is still waiting; once it gets the lock it finds no client and rolls back.
    await holder.query('SELECT pg_advisory_unlock($1)', [LOCK]);
    const again = await runTandem(['migrate', 'up', ...flags]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /applied 1_halfway\.json/);
    const after = await holder.query(
      `SELECT to_regclass('public.halfway') AS "a", to_regclass('public.after_lock') AS "b"`,
    );
    assert.deepEqual(after.rows[0], { a: 'halfway', b: 'after_lock' });
  });
});
