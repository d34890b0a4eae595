/**
 * The size of what `expand` writes out. A related record is loaded once per level but
 * written under every record that points at it, so records that relate to each other
 * multiply at each level: a guest's dozen records, expanded six levels deep, would write
 * 12^6 copies. An expand that would write more than MAX_EXPANDED_JSON is refused with a
 * 400 before anything is written on reads, left out of a committed write's answer and of
 * a realtime event, while expands within the bound answer as before.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EXPANDED_JSON, type Delivery } from '@tandem/core';
import { testDialects, until } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { seedRelatedNodes } from '../testing/related-nodes.fixture.js';
import { openSse, sdkSubscription, type SseTestStream } from '../testing/sse-client.fixture.js';
import type { AddressInfo } from 'node:net';

const SIX_LEVELS = 'kids.kids.kids.kids.kids.kids';

for (const { name: dialect, skip } of testDialects) {
  describe(`expand bounds on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let base = '';
    const ids: string[] = [];
    const streams: SseTestStream[] = [];

    before(async () => {
      t = await createTestApp(dialect);
      // Twelve records, each of which relates to all twelve (itself included).
      ids.push(...(await seedRelatedNodes(t, 12)));
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      for (const stream of streams) stream.close();
      await t?.cleanup();
    });

    it('answers an expand within the bound, every copy written out', async () => {
      // 12 + 12² + 12³ = 1,884 copies under one record (some 650 KB).
      const answer = await call(t, 'GET', `/api/collections/nodes/records/${ids[0]}?expand=kids.kids.kids`);
      assert.equal(answer.status, 200);
      const level3 = answer.body.expand.kids[5].expand.kids[7].expand.kids;
      assert.deepEqual(
        level3.map((r: { id: string }) => r.id),
        ids,
      );
    });

    it('refuses 400 EXPAND_INVALID an expand that would write more than the bound', async () => {
      const view = await call(t, 'GET', `/api/collections/nodes/records/${ids[0]}?expand=${SIX_LEVELS}`);
      assert.equal(view.status, 400, view.raw.slice(0, 200));
      assert.equal(view.body.code, 'EXPAND_INVALID');
      assert.match(view.body.message, new RegExp(`more than ${MAX_EXPANDED_JSON / 2 ** 20} MiB of JSON`));
      const list = await call(t, 'GET', `/api/collections/nodes/records?expand=${SIX_LEVELS}`);
      assert.equal(list.status, 400);
      assert.equal(list.body.code, 'EXPAND_INVALID');
      assert.equal((await call(t, 'GET', '/api/health')).status, 200);
    });

    it('answers a committed write 200 without the expand it cannot write, never a 400 that says it failed', async () => {
      const path = `/api/collections/nodes/records`;
      const update = await call(t, 'PATCH', `${path}/${ids[1]}?expand=${SIX_LEVELS}`, { title: 'renamed' });
      assert.equal(update.status, 200, update.raw.slice(0, 200));
      assert.equal(update.body.title, 'renamed');
      assert.equal(update.body.expand, undefined);
      const created = await call(t, 'POST', `${path}?expand=${SIX_LEVELS}`, { title: 'new', kids: ids });
      assert.equal(created.status, 200, created.raw.slice(0, 200));
      assert.equal(created.body.expand, undefined);
      assert.equal((await call(t, 'GET', `${path}/${created.body.id}`)).body.title, 'new');
      // Within the bound, the write's answer carries its expand as before.
      const small = await call(t, 'PATCH', `${path}/${ids[2]}?expand=kids`, { title: 'small' });
      assert.equal(small.body.expand.kids.length, 12);
    });

    it('refuses a malformed expand on a write before anything is written', async () => {
      const path = `/api/collections/nodes/records`;
      const before = (await call(t, 'GET', `${path}?perPage=1`)).body.totalItems;
      const refused = await call(t, 'POST', `${path}?expand=${'a,'.repeat(1500)}`, { title: 'never' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'EXPAND_INVALID');
      assert.equal((await call(t, 'GET', `${path}?perPage=1`)).body.totalItems, before);
    });

    it('counts the whole answer: a page is refused where each of its records alone is not', async () => {
      // Four levels: 12 + 12² + 12³ + 12⁴ = 22,620 copies under each record, each of some
      // 350 characters: about 8 MB. Every page of 13 is four times the bound.
      const fourLevels = 'kids.kids.kids.kids';
      const view = await call(t, 'GET', `/api/collections/nodes/records/${ids[0]}?expand=${fourLevels}`);
      assert.equal(view.status, 200);
      assert.equal(view.body.expand.kids[0].expand.kids[0].expand.kids[0].expand.kids.length, 12);
      const perRecord = view.raw.length;
      assert.ok(perRecord * 13 > MAX_EXPANDED_JSON && perRecord * 2 < MAX_EXPANDED_JSON, `${perRecord}`);
      const list = await call(t, 'GET', `/api/collections/nodes/records?expand=${fourLevels}`);
      assert.equal(list.status, 400);
      assert.equal(list.body.code, 'EXPAND_INVALID');
      const page = await call(t, 'GET', `/api/collections/nodes/records?expand=${fourLevels}&perPage=2`);
      assert.equal(page.status, 200);
      assert.equal(page.body.items.length, 2);
    });

    it("shares the bound among a batch's items: one answer", async () => {
      // Each item's four-level expand writes about 8 MB: six of them pass 32 MiB, and the
      // items after the bound come without their expand.
      const fourLevels = 'kids.kids.kids.kids';
      const requests = ids.slice(0, 6).map((id, i) => ({
        method: 'PATCH',
        url: `/api/collections/nodes/records/${id}?expand=${fourLevels}`,
        body: { title: `batch ${i}` },
      }));
      const batch = await call(t, 'POST', '/api/batch', { requests });
      assert.equal(batch.status, 200, batch.raw.slice(0, 200));
      const expanded = batch.body.map((item: { body: { expand?: unknown } }) => item.body.expand !== undefined);
      const kept = expanded.filter(Boolean).length;
      assert.ok(kept >= 3 && kept < 6, `${kept}`);
      assert.deepEqual(expanded, [...Array(kept).fill(true), ...Array(6 - kept).fill(false)]);
      assert.ok(batch.raw.length < MAX_EXPANDED_JSON + 1024 * 1024, `${batch.raw.length}`);
      assert.equal(batch.body[5].body.title, 'batch 5');
    });

    it("shares the bound among one client's subscriptions for one change", async () => {
      // Straight through the broker, with a sink that keeps what it gets: a transport
      // would close a stream that falls this far behind. Six subscriptions to one record,
      // each asking for about 8 MB of expand: past 32 MiB the events come without it.
      const deliveries: Delivery[] = [];
      const client = t.realtime.connect({ send: (delivery) => deliveries.push(delivery) });
      try {
        for (let i = 0; i < 6; i++)
          t.realtime.subscribe(client, `s${i}`, `nodes/${ids[4]}`, { expand: 'kids.kids.kids.kids' });
        await call(t, 'PATCH', `/api/collections/nodes/records/${ids[4]}`, { title: 'shared' });
        await until(() => deliveries.length >= 6);
        const expanded = deliveries.map((d) => d.kind === 'event' && d.record.expand !== undefined);
        assert.equal(deliveries.length, 6);
        const kept = expanded.filter(Boolean).length;
        assert.ok(kept >= 3 && kept < 6, `${kept}`);
      } finally {
        t.realtime.disconnect(client);
      }
    });

    it('sends a realtime event without the expand it cannot write, never drops it', async () => {
      const stream = await openSse(base);
      streams.push(stream);
      const huge = sdkSubscription(`nodes/${ids[3]}`, { expand: SIX_LEVELS });
      const small = sdkSubscription(`nodes/${ids[3]}`, { expand: 'kids' });
      const subscribed = await call(t, 'POST', '/api/realtime', {
        clientId: stream.clientId,
        subscriptions: [huge, small],
      });
      assert.equal(subscribed.status, 204);
      await call(t, 'PATCH', `/api/collections/nodes/records/${ids[3]}`, { title: 'seen live' });
      const hugeEvent = JSON.parse((await stream.next((frame) => frame.event === huge)).data!);
      assert.equal(hugeEvent.record.title, 'seen live');
      assert.equal(hugeEvent.record.expand, undefined);
      const smallEvent = JSON.parse((await stream.next((frame) => frame.event === small)).data!);
      assert.equal(smallEvent.record.expand.kids.length, 12);
    });
  });
}
