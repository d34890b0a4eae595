import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, createTestPostgresDatabase, testDialects } from '@tandem/core/testing';
import { runTandem, startServe } from '../testing/spawn-tandem.fixture.js';
import { codeBlockUnder } from '../testing/doc-code.fixture.js';

const root = { email: 'root@example.com', password: 'root passphrase 123' };

/** A data directory, and a fresh PostgreSQL database when the dialect asks for one: the flags that name them. */
async function dataFlags(dialect: string, cleanups: Array<() => Promise<unknown>>): Promise<string[]> {
  const dir = await createTempDir();
  cleanups.push(dir.remove);
  if (dialect !== 'postgres') return ['--dir', dir.path];
  const database = await createTestPostgresDatabase();
  cleanups.push(database.drop);
  return ['--dir', dir.path, '--db', database.url];
}

async function tandem(args: string[]): Promise<string> {
  const result = await runTandem(args);
  assert.equal(result.code, 0, `tandem ${args[0]} ${args[1]}: ${result.stderr}`);
  return result.stdout;
}

/** Every collection of a database as `tandem collections export` writes it, without timestamps. */
async function exported(flags: string[]): Promise<unknown[]> {
  const list = JSON.parse(await tandem(['collections', 'export', '--quiet', ...flags])) as Record<string, unknown>[];
  return list
    .map(({ created: _c, updated: _u, ...rest }) => rest)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** Calls the REST API as the superuser. */
async function api(origin: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Changes the schema through the API, as a developer clicking through the admin UI does. */
async function evolveThroughApi(origin: string): Promise<void> {
  const auth = (await (
    await fetch(`${origin}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: root.email, password: root.password }),
    })
  ).json()) as { token: string };
  const call = (method: string, path: string, body?: unknown) => api(origin, auth.token, method, path, body);
  await call('POST', '/api/collections', {
    name: 'posts',
    type: 'base',
    listRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 },
    ],
    indexes: ['CREATE INDEX idx_posts_title ON posts (title)'],
  });
  await call('POST', '/api/collections', { name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] });
  const posts = (await call('GET', '/api/collections/posts')) as { fields: unknown[] };
  await call('PATCH', '/api/collections/posts', {
    fields: [...posts.fields, { name: 'tags', type: 'relation', collectionId: 'tags', maxSelect: 5 }],
  });
  await call('POST', '/api/collections', { name: 'scratch', type: 'base', fields: [] });
  await call('DELETE', '/api/collections/scratch');
}

for (const { name: dialect, skip } of testDialects) {
  describe(`migrations through tandem serve and tandem migrate (${dialect})`, { skip }, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('API changes written on one data directory give the same schema on an empty one; migrate down reverts', async () => {
      const migrations = await createTempDir();
      cleanups.push(migrations.remove);
      const laptop = await dataFlags(dialect, cleanups);
      await tandem(['superuser', 'upsert', root.email, root.password, ...laptop]);
      const server = await startServe([
        ...laptop,
        '--no-request-log',
        '--automigrate',
        '--migrations',
        migrations.path,
      ]);
      try {
        await evolveThroughApi(server.url);
      } finally {
        await server.stop();
      }
      const files = (await readdir(migrations.path)).sort();
      assert.deepEqual(
        files.map((f) => f.replace(/^\d+_/, '')),
        [
          'created_posts.json',
          'created_tags.json',
          'updated_posts.json',
          'created_scratch.json',
          'deleted_scratch.json',
        ],
      );

      const production = await dataFlags(dialect, cleanups);
      const up = await tandem(['migrate', 'up', '--migrations', migrations.path, ...production]);
      assert.equal(up.trim().split('\n').length, files.length, up);
      assert.deepEqual(await exported(production), await exported(laptop));
      const status = await tandem(['migrate', 'status', '--migrations', migrations.path, ...production]);
      assert.match(status, /5 applied, 0 pending/);

      // A server started on another empty database applies them before it serves.
      const staging = await dataFlags(dialect, cleanups);
      const started = await startServe([...staging, '--no-request-log', '--migrations', migrations.path]);
      await started.stop();
      assert.match(started.output(), /Applied 5 migration\(s\)/);
      assert.deepEqual(await exported(staging), await exported(laptop));

      const down = await tandem(['migrate', 'down', '3', '--migrations', migrations.path, ...production]);
      assert.deepEqual(down.trim().split('\n'), [
        `reverted ${files[4]}`,
        `reverted ${files[3]}`,
        `reverted ${files[2]}`,
      ]);
      const names = ((await exported(production)) as { name: string; fields: { name: string }[] }[]).map((c) => c.name);
      assert.ok(names.includes('tags') && !names.includes('scratch'));
      const posts = ((await exported(production)) as { name: string; fields: { name: string }[] }[]).find(
        (c) => c.name === 'posts',
      );
      assert.ok(!posts!.fields.some((f) => f.name === 'tags'), 'the update of posts was reverted');
    });

    it('a failing migration stops tandem serve and tandem migrate up with its name, and changes nothing', async () => {
      const migrations = await createTempDir();
      cleanups.push(migrations.remove);
      const flags = await dataFlags(dialect, cleanups);
      await writeFile(
        join(migrations.path, '100_notes.json'),
        JSON.stringify({
          up: [{ op: 'create', collection: { name: 'notes', fields: [{ name: 'text', type: 'text' }] } }],
        }),
      );
      await writeFile(
        join(migrations.path, '200_broken.json'),
        JSON.stringify({
          up: [
            { op: 'create', collection: { name: 'extra', fields: [] } },
            { op: 'sql', sql: 'UPDATE "missing_table" SET "x" = 1' },
          ],
        }),
      );
      const result = await runTandem(['migrate', 'up', '--migrations', migrations.path, ...flags]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^tandem: Migration 200_broken\.json failed at up\[1\] \(sql\): /);
      const served = await runTandem([
        'serve',
        '--http',
        '127.0.0.1:0',
        '--no-grpc',
        '--migrations',
        migrations.path,
        ...flags,
      ]);
      assert.equal(served.code, 1);
      assert.match(served.stderr, /tandem: migrations: Migration 200_broken\.json failed at up\[1\]/);
      const status = await tandem(['migrate', 'status', '--migrations', migrations.path, ...flags]);
      assert.match(status, /applied\s+100_notes\.json/);
      assert.match(status, /pending\s+200_broken\.json/);
      const names = ((await exported(flags)) as { name: string }[]).map((c) => c.name);
      assert.ok(names.includes('notes') && !names.includes('extra'));
    });

    it('migrate create writes an empty migration; migrate collections a snapshot that recreates the schema', async () => {
      const migrations = await createTempDir();
      cleanups.push(migrations.remove);
      const laptop = await dataFlags(dialect, cleanups);
      const created = await tandem(['migrate', 'create', 'Add posts', '--migrations', migrations.path, ...laptop]);
      const file = /created (.+_add_posts\.json)/.exec(created)?.[1];
      assert.ok(file, created);
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { description: 'Add posts', up: [], down: [] });
      await writeFile(
        file,
        JSON.stringify({
          up: [{ op: 'create', collection: { name: 'posts', fields: [{ name: 'title', type: 'text' }] } }],
          down: [{ op: 'delete', collection: 'posts' }],
        }),
      );
      await tandem(['migrate', 'up', '--migrations', migrations.path, ...laptop]);
      const snapshots = await createTempDir();
      cleanups.push(snapshots.remove);
      const snap = await tandem(['migrate', 'collections', '--migrations', snapshots.path, ...laptop]);
      assert.match(snap, /collections_snapshot\.json .*recorded as applied here/);
      const fresh = await dataFlags(dialect, cleanups);
      await tandem(['migrate', 'up', '--migrations', snapshots.path, ...fresh]);
      assert.deepEqual(await exported(fresh), await exported(laptop));
    });

    it('tandem collections import with automigrate writes the import as one migration', async () => {
      const migrations = await createTempDir();
      cleanups.push(migrations.remove);
      const flags = await dataFlags(dialect, cleanups);
      const file = join(flags[1]!, 'export.json');
      await writeFile(
        file,
        JSON.stringify([
          { name: 'a', type: 'base', fields: [] },
          { name: 'b', type: 'base', fields: [{ name: 'a', type: 'relation', collectionId: 'a' }] },
        ]),
      );
      const result = await runTandem(['collections', 'import', file, '--quiet', ...flags], {
        TANDEM_AUTOMIGRATE: 'true',
        TANDEM_MIGRATIONS: migrations.path,
      });
      assert.equal(result.code, 0, result.stderr);
      const written = (await readdir(migrations.path)).filter((f) => f.endsWith('.json'));
      assert.equal(written.length, 1);
      assert.match(written[0]!, /^\d+_changed_collections\.json$/);
      const status = await tandem(['migrate', 'status', '--migrations', migrations.path, ...flags]);
      assert.match(status, /1 applied, 0 pending/);
    });

    it('the example of docs/migrations.md applies and reverts', async () => {
      const migrations = await createTempDir();
      cleanups.push(migrations.remove);
      const flags = await dataFlags(dialect, cleanups);
      await writeFile(
        join(migrations.path, '1_posts_status.json'),
        codeBlockUnder('migrations.md', '### An example', 'json'),
      );
      await tandem(['migrate', 'up', '--migrations', migrations.path, ...flags]);
      assert.ok(((await exported(flags)) as { name: string }[]).some((c) => c.name === 'posts'));
      await tandem(['migrate', 'down', '--migrations', migrations.path, ...flags]);
      assert.ok(!((await exported(flags)) as { name: string }[]).some((c) => c.name === 'posts'));
    });
  });
}
