import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import {
  createTempDir,
  createTestPostgresDatabase,
  deleteRedisKeys,
  postgresSkipReason,
  redisSkipReason,
  testRedisUrl,
} from '@tandem/core/testing';
import { InstanceProcess } from '../cluster/instance-process.js';
import { redisKeyPrefix } from '../compose/open-redis.js';
import { freePort } from '../testing/free-port.fixture.js';

const INSTANCES = 3;

/** A migration that creates a collection, as `tandem` writes them. */
const createNotes = {
  up: [{ op: 'create', collection: { name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] } }],
  down: [{ op: 'delete', collection: 'notes' }],
};

/**
 * Instances of a cluster started at the same moment over a database with a pending
 * migration: one applies it while holding the `migrations` lease, the others wait and
 * find it applied, and every instance starts.
 */
describe('instances of a cluster starting together', { skip: postgresSkipReason ?? redisSkipReason }, () => {
  it('apply a pending migration once, and all start', async () => {
    const dir = await createTempDir();
    const database = await createTestPostgresDatabase();
    const instances: InstanceProcess[] = [];
    try {
      await mkdir(join(dir.path, 'migrations'));
      await writeFile(join(dir.path, 'migrations', '1700000000_created_notes.json'), JSON.stringify(createNotes));
      const args = ['--db', database.url, '--redis', testRedisUrl, '--dir', dir.path, '--no-request-log'];
      for (let i = 0; i < INSTANCES; i++)
        instances.push(new InstanceProcess({ host: '127.0.0.1', port: await freePort() }, args, () => undefined));
      await Promise.all(instances.map((instance) => instance.start()));
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const rows = await client.query('SELECT COUNT(*)::int AS n FROM "_migrations"');
        assert.equal(rows.rows[0].n, 1);
      } finally {
        await client.end();
      }
      for (const instance of instances) {
        const response = await fetch(`${instance.url}/api/collections/notes/records`);
        const body = await response.text();
        assert.notEqual(response.status, 404, `${instance.url} knows the migrated collection: ${body}`);
      }
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
      await deleteRedisKeys(redisKeyPrefix(database.url));
      await database.drop();
      await dir.remove();
    }
  });
});
