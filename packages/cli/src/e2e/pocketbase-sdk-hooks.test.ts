import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { createClient, MemoryAuthStore, type WebSocketConstructor } from '@tandem/sdk';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { connectByReflection, struct, unary } from '@tandem/grpc/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { hookCollections, hookFiles } from './hooks-fixture.fixture.js';

// Node 20 has no global EventSource; the SDK's realtime needs one.
Object.assign(globalThis, { EventSource });

/** The error a call failed with (fails the test when it succeeded). */
async function failure(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ClientResponseError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected the call to fail' });
}

/** Polls `check` until it holds (a reload is asynchronous); fails after a generous deadline, never on timing. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`never happened: ${what}`);
}

/**
 * Server hooks (`<dir>/hooks/*.ts`) against a real `tandem serve`, through the official
 * pocketbase SDK: records validated, enriched, refused and shaped; routes, a cron and a
 * custom realtime topic; and hooks that throw, hang or cannot load leave it serving.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`server hooks through the pocketbase SDK on ${dialect}`, { skip }, () => {
    let fixture: ServeFixture;
    let url: string;
    const clients: PocketBase[] = [];
    const client = () => {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      clients.push(pb);
      return pb;
    };
    const superuser = async () => {
      const pb = client();
      await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      return pb;
    };

    before(async () => {
      fixture = await startServeFixture(dialect, {
        superuser: true,
        collections: hookCollections,
        hooks: hookFiles,
        serveArgs: ['--dev'],
        env: { TANDEM_HOOK_TIMEOUT_MS: '1000' },
      });
      url = fixture.server.url;
    });

    after(async () => {
      for (const pb of clients) await pb.realtime.unsubscribe().catch(() => undefined);
      assert.equal(await fixture?.dispose(), 0, 'tandem serve exits 0 after SIGTERM');
    });

    it('validates, enriches and refuses records, inside the write transaction', async () => {
      const pb = client();
      const missing = await failure(pb.collection('tasks').create({ title: '   ' }));
      assert.equal(missing.status, 400);
      assert.equal(missing.response.data.title.code, 'validation_required');
      assert.equal((await failure(pb.collection('tasks').create({ title: 'a forbidden task' }))).status, 403);
      const created = await pb.collection('tasks').create({ title: '  Write the Docs ' });
      assert.equal(created.title, 'Write the Docs');
      assert.equal(created.slug, 'write-the-docs');
      const root = await superuser();
      // NB: the fixture's real cron writes 'tick' at every fifth minute of the clock, which may fall in this test.
      const notes = (await root.collection('audit').getFullList()).map((r) => r.note).filter((note) => note !== 'tick');
      assert.deepEqual(notes, [`created ${created.id}`]);
    });

    it('applies the same record hooks to gRPC calls and batches', async () => {
      const grpc = await connectByReflection(fixture.server.grpcAddress!);
      try {
        const records = grpc.clients['tandem.v1.Records']!;
        const refused = await unary(records, 'Create', { collection: 'tasks', data: struct({ title: ' ' }) });
        assert.equal(!refused.ok && refused.error.tandemCode, 'VALIDATION_FAILED');
        const created = await unary(records, 'Create', { collection: 'tasks', data: struct({ title: 'Via gRPC' }) });
        assert.ok(created.ok);
        assert.equal((await client().collection('tasks').getOne(created.value.id)).slug, 'via-grpc');
      } finally {
        grpc.close();
      }
      const batch = client().createBatch();
      batch.collection('tasks').create({ title: 'In a Batch' });
      const [item] = await batch.send();
      assert.equal(item?.body.slug, 'in-a-batch');
      const failed = client().createBatch();
      failed.collection('tasks').create({ title: 'first of two' });
      failed.collection('tasks').create({ title: 'a forbidden one' });
      assert.equal((await failure(failed.send())).status, 400);
      const firsts = await client().collection('tasks').getFullList({ filter: 'title = "first of two"' });
      assert.deepEqual(firsts, [], 'the refused batch was rolled back whole');
    });

    it('refuses a delete a hook forbids, and allows the others', async () => {
      const pb = client();
      const locked = await pb.collection('tasks').create({ title: 'keep me', status: 'locked' });
      const open = await pb.collection('tasks').create({ title: 'drop me' });
      assert.equal((await failure(pb.collection('tasks').delete(locked.id))).status, 403);
      assert.equal(await pb.collection('tasks').delete(open.id), true);
      assert.equal((await pb.collection('tasks').getOne(locked.id)).title, 'keep me');
    });

    it('shapes view and list answers with a package from the hooks folder', async () => {
      const pb = client();
      const created = await pb.collection('tasks').create({ title: 'shape me' });
      assert.equal((await pb.collection('tasks').getOne(created.id)).loud, 'SHAPE ME!');
      const page = await pb.collection('tasks').getList(1, 50);
      assert.ok(page.items.length > 0 && page.items.every((task) => task.listed === true));
    });

    it('serves custom routes with the caller, middlewares and rate limits', async () => {
      const guest = client();
      assert.deepEqual(await guest.send('/api/hello/ada', {}), { hello: 'ada', auth: 'guest' });
      const root = await superuser();
      assert.deepEqual(await root.send('/api/hello/ada', {}), { hello: 'ada', auth: 'superuser' });
      assert.equal((await failure(guest.send('/api/tasks/count', { method: 'POST', body: { a: 1 } }))).status, 401);
      const counted = await root.send('/api/tasks/count', { method: 'POST', body: { a: 1 } });
      assert.deepEqual(counted.echo, { a: 1 });
      assert.ok(counted.total >= 1);
      assert.equal((await failure(guest.send('/api/admin-only', {}))).status, 401);
      assert.deepEqual(await root.send('/api/admin-only', {}), { ok: true });
      await guest.send('/api/limited', {});
      await guest.send('/api/limited', {});
      const limited = await failure(guest.send('/api/limited', {}));
      assert.equal(limited.status, 429);
      assert.equal(limited.response.code, 'TOO_MANY_REQUESTS');
    });

    it('lists and runs crons for superusers only (/api/crons)', async () => {
      const root = await superuser();
      assert.deepEqual(await root.crons.getFullList(), [{ id: 'audit-tick', expression: '*/5 * * * *' }]);
      assert.equal(await root.crons.run('audit-tick'), true);
      const notes = (await root.collection('audit').getFullList()).map((r) => r.note);
      assert.ok(notes.includes('tick'), JSON.stringify(notes));
      assert.equal((await failure(root.crons.run('nope'))).status, 404);
      assert.equal((await failure(client().crons.getFullList())).status, 401);
      // The scheduled backup (SQLite only) is one more job of the same registry.
      await root.settings.update({ backups: { cron: '0 2 * * *' } });
      const ids = (await root.crons.getFullList()).map((job) => job.id);
      assert.deepEqual(ids, dialect === 'sqlite' ? ['__auto_pb_backup__', 'audit-tick'] : ['audit-tick']);
    });

    it('publishes on a custom topic the SDK subscribes to', async () => {
      const listener = client();
      const received: unknown[] = [];
      await listener.realtime.subscribe('tasks-feed', (data) => received.push(data));
      const created = await client().collection('tasks').create({ title: 'announce me' });
      await eventually(async () => received.length > 0, 'the tasks-feed message');
      assert.deepEqual(received, [{ created: created.id, title: 'announce me' }]);
      await listener.realtime.unsubscribe('tasks-feed');
    });

    it("publishes on a custom topic to Tandem's SDK over the WebSocket", async () => {
      const tandem = createClient(url, {
        authStore: new MemoryAuthStore(),
        realtime: { webSocket: WebSocket as unknown as WebSocketConstructor },
      });
      try {
        const received: unknown[] = [];
        const stop = await tandem.realtime.subscribeTopic('tasks-feed', (data) => received.push(data));
        const created = await client().collection('tasks').create({ title: 'over the socket' });
        await eventually(async () => received.length > 0, 'the tasks-feed message on the socket');
        assert.deepEqual(received, [{ created: created.id, title: 'over the socket' }]);
        await stop();
      } finally {
        tandem.close();
      }
    });

    it('runs auth and mail hooks', async () => {
      const root = await superuser();
      const auth = await client()
        .collection('_superusers')
        .authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      assert.deepEqual(auth.meta, { hooked: 'password' });
      await root
        .collection('users')
        .create({ email: 'mia@example.com', password: 'mia passphrase 1', passwordConfirm: 'mia passphrase 1' });
      await client().collection('users').requestVerification('mia@example.com');
      const mails = await root.send('/api/mails', { query: { to: 'mia@example.com' } });
      assert.match(mails.items[0].subject, /^\[Tasks\] /);
    });

    it('answers a hook that throws with a 500 and the request id, and goes on serving', async () => {
      const answer = await fetch(`${url}/api/boom`);
      assert.equal(answer.status, 500);
      assert.ok(answer.headers.get('x-request-id'));
      const text = await answer.text();
      assert.equal(JSON.parse(text).code, 'INTERNAL');
      assert.doesNotMatch(text, /kaboom|secret/);
      const crash = await failure(client().collection('tasks').create({ title: 'crash' }));
      assert.equal(crash.status, 500);
      assert.doesNotMatch(JSON.stringify(crash.response), /secret/);
      assert.equal((await fetch(`${url}/api/health`)).status, 200);
    });

    it('logs a promise a hook forgot to await that fails, and goes on serving', async () => {
      assert.deepEqual(await client().send('/api/floating', {}), { ok: true });
      await eventually(async () => /nobody awaited me/.test(fixture.server.output()), 'the unhandled rejection logged');
      assert.match(fixture.server.output(), /"msg":"unhandled rejection/);
      assert.equal((await fetch(`${url}/api/health`)).status, 200);
    });

    it('times out a hook that never resolves (HOOK_TIMEOUT) and goes on serving', async () => {
      const answer = await fetch(`${url}/api/hang`);
      assert.equal(answer.status, 504);
      assert.equal(((await answer.json()) as { code: string }).code, 'HOOK_TIMEOUT');
      assert.deepEqual(await client().send('/api/hello/bo', {}), { hello: 'bo', auth: 'guest' });
    });

    it('reports a hook file that imports a missing module or throws, drops what it registered, and loads the others', async () => {
      const output = fixture.server.output();
      assert.match(output, /"file":"missing\.ts".*a-package-nobody-installed.*"msg":"hook file not loaded"/);
      assert.match(output, /"file":"half\.js","error":"half done","msg":"hook file not loaded"/);
      assert.match(output, /"files":\["main\.ts"\],"msg":"hooks loaded"/);
      assert.equal((await fetch(`${url}/api/half`)).status, 404);
    });

    it('reloads the folder when a file changes (--dev)', async () => {
      const later = `export default (app) => app.routerAdd('GET', '/api/later', () => ({ later: true }));\n`;
      await writeFile(join(fixture.dir, 'hooks', 'later.js'), later);
      await eventually(async () => (await fetch(`${url}/api/later`)).status === 200, 'the reloaded route');
      // The reload kept the other files' hooks, and the server's own cron job.
      assert.deepEqual(await client().send('/api/hello/cy', {}), { hello: 'cy', auth: 'guest' });
      const jobs = (await (await superuser()).crons.getFullList()).map((job) => job.id);
      assert.deepEqual(jobs, dialect === 'sqlite' ? ['__auto_pb_backup__', 'audit-tick'] : ['audit-tick']);
    });
  });
}
