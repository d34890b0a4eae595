/**
 * `/api/logs`, `/api/logs/{id}` and `/api/logs/stats` through the official SDK's
 * LogService: requests are logged off the hot path, read by superusers only, with
 * PocketBase's filter and sort, on both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { defaultAuthRateLimits, LogStore, LogWriter, storeLogSink } from '@tandem/core';
import { guestRequestLogInput, testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

const PASSWORD = 'pale-otter-91-lantern';

function expectStatus(status: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ClientResponseError);
    assert.equal(e.status, status, JSON.stringify(e.response));
    return true;
  };
}

for (const { name: dialect, skip } of testDialects) {
  describe(`the request log API on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    let admin: PocketBase;
    const client = () => {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      return pb;
    };

    before(async () => {
      t = await createTestApp(dialect, { storeRequestLog: true }, undefined, () => ({
        ...defaultAuthRateLimits,
        enabled: false,
      }));
      await t.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'title', type: 'text' }] });
      await t.auth.upsertSuperuser('root@example.com', PASSWORD);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      admin = client();
      await admin.collection('_superusers').authWithPassword('root@example.com', PASSWORD);
      const guest = client();
      await guest.collection('notes').getList(1, 5);
      await assert.rejects(guest.collection('nope').getList(1, 5), expectStatus(404));
      await t.logs.flush();
    });
    after(async () => t?.cleanup());

    it('lists the requests newest first, with PocketBase entry shape', async () => {
      const page = await admin.logs.getList(1, 50);
      assert.ok(page.totalItems >= 3, JSON.stringify(page));
      const created = page.items.map((entry) => entry.created);
      assert.deepEqual(created, [...created].sort().reverse());
      const notes = page.items.find((entry) => entry.message === 'GET /api/collections/notes/records?page=1&perPage=5');
      assert.ok(notes, JSON.stringify(page.items.map((e) => e.message)));
      assert.equal(notes.level, 0);
      assert.equal(notes.data.type, 'request');
      assert.equal(notes.data.status, 200);
      assert.equal(notes.data.auth, 'guest');
      assert.equal(notes.data.method, 'GET');
      assert.equal(typeof notes.data.execTime, 'number');
      assert.equal(notes.data.userIP, '127.0.0.1');
      assert.equal(notes.data.authId, undefined, 'logAuthId is off by default, as in PocketBase');
    });

    it("pages with PocketBase's own admin query: sort -@rowid, skipTotal, a filter", async () => {
      const newest = await admin.logs.getList(1, 50, {
        sort: '-@rowid',
        skipTotal: true,
        filter: 'data.type = "request"',
      });
      const byCreated = await admin.logs.getList(1, 50, { sort: '-created,-id' });
      assert.ok(newest.items.length >= 3);
      assert.deepEqual(
        newest.items.map((entry) => entry.id),
        byCreated.items.map((entry) => entry.id),
      );
    });

    it('filters and sorts with the filter language, and views one entry', async () => {
      const failed = await admin.logs.getList(1, 10, { filter: 'level >= 8 && data.status = 404', sort: '-created' });
      assert.equal(failed.items.length, 1);
      assert.match(failed.items[0]!.message, /^GET \/api\/collections\/nope\/records/);
      const one = await admin.logs.getOne(failed.items[0]!.id);
      assert.deepEqual(one, failed.items[0]);
      await assert.rejects(admin.logs.getOne('nosuchlogentry1'), expectStatus(404));
      await assert.rejects(admin.logs.getList(1, 10, { filter: 'nope = 1' }), expectStatus(400));
      await assert.rejects(admin.logs.getList(1, 10, { sort: 'nope' }), expectStatus(400));
    });

    it('counts requests per hour', async () => {
      const stats = await admin.logs.getStats();
      assert.ok(stats.length >= 1);
      const hour = stats.at(-1)!;
      assert.match(hour.date, /^\d{4}-\d{2}-\d{2} \d{2}:00:00\.000Z$/);
      assert.ok(hour.total >= 3);
      const errors = await admin.logs.getStats({ filter: 'data.status = 404' });
      assert.equal(
        errors.reduce((sum, h) => sum + h.total, 0),
        1,
      );
    });

    it('is for superusers only', async () => {
      await assert.rejects(client().logs.getList(1, 10), expectStatus(401));
      const user = client();
      await user
        .collection('users')
        .create({ email: 'ann@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await user.collection('users').authWithPassword('ann@example.com', PASSWORD);
      await assert.rejects(user.logs.getList(1, 10), expectStatus(403));
      await assert.rejects(user.logs.getStats(), expectStatus(403));
    });

    it('keeps the settings of PocketBase: logAuthId adds the caller, maxDays 0 keeps nothing', async () => {
      await admin.settings.update({ logs: { logAuthId: true } });
      await admin.collection('notes').getList(1, 1, { filter: 'title = "marker-auth-id"' });
      await t.logs.flush();
      const marked = await admin.logs.getList(1, 1, { filter: 'message ~ "marker-auth-id"' });
      assert.equal(marked.items[0]?.data.auth, '_superusers');
      assert.equal(typeof marked.items[0]?.data.authId, 'string');
      await admin.settings.update({ logs: { maxDays: 0 } });
      await client().collection('notes').getList(1, 1, { filter: 'title = "marker-off"' });
      await admin.settings.update({ logs: { maxDays: 5 } });
      await t.logs.flush();
      const off = await admin.logs.getList(1, 1, { filter: 'message ~ "marker-off"' });
      assert.equal(off.totalItems, 0);
    });
  });

  describe(`the request log writer on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(async () => t?.cleanup());

    const input = (url: string) => guestRequestLogInput(url, { execTime: 1 });

    it('drops entries past its queue bound instead of waiting; deleteBefore removes the older ones', async () => {
      const store = new LogStore(t.store);
      const settings = { maxDays: 5, minLevel: 0, logIP: false, logAuthId: false };
      const writer = new LogWriter(storeLogSink(store), { maxQueued: 3, settings: () => settings });
      for (let i = 0; i < 5; i += 1) writer.logRequest(input(`/bounded/${i}`));
      assert.equal(writer.dropped, 2);
      await writer.flush();
      const kept = await store.list({ filter: 'message ~ "/bounded/"' });
      assert.equal(kept.totalItems, 3);
      assert.equal(kept.items[0]!.data.remoteIP, undefined, 'logIP off keeps no address');
      assert.equal(await store.deleteBefore('2000-01-01 00:00:00.000Z'), 0);
      const total = (await store.list({})).totalItems;
      assert.equal(await store.deleteBefore('9999-12-31 00:00:00.000Z'), total);
      assert.equal((await store.list({})).totalItems, 0);
      await writer.stop();
    });

    it('takes an entry only while it runs, the log is kept and the level reaches minLevel', async () => {
      const store = new LogStore(t.store);
      let settings = { maxDays: 5, minLevel: 0, logIP: false, logAuthId: false };
      const writer = new LogWriter(storeLogSink(store), { settings: () => settings });
      assert.deepEqual([writer.takes(200), writer.takes(404)], [true, true]);
      settings = { ...settings, minLevel: 8 };
      assert.deepEqual([writer.takes(200), writer.takes(399), writer.takes(400)], [false, false, true]);
      writer.logRequest(input('/takes/below-min-level'));
      settings = { ...settings, minLevel: 0, maxDays: 0 };
      assert.equal(writer.takes(500), false);
      writer.logRequest(input('/takes/not-kept'));
      settings = { ...settings, maxDays: 5 };
      writer.logRequest(input('/takes/kept'));
      await writer.stop();
      assert.equal(writer.takes(500), false, 'a stopped writer takes nothing');
      const stored = await store.list({ filter: 'message ~ "/takes/"' });
      assert.deepEqual(
        stored.items.map((e) => e.data.url),
        ['/takes/kept'],
      );
    });

    it('deletes entries older than maxDays after a batch', async () => {
      const store = new LogStore(t.store);
      const old = { id: 'oldlogentry0001', created: '2000-01-01 00:00:00.000Z', level: 0, message: 'old', data: {} };
      await store.insert([old]);
      const settings = { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false };
      const writer = new LogWriter(storeLogSink(store), { settings: () => settings });
      writer.logRequest(input('/fresh'));
      await writer.stop();
      assert.equal(await store.view(old.id), undefined);
      assert.equal((await store.list({ filter: 'message ~ "/fresh"' })).totalItems, 1);
    });
  });
}
