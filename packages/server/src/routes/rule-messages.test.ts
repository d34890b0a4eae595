import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

const SECRET = 'only-staff-7731';

for (const { name: dialect, skip } of testDialects) {
  describe(`error messages of a rule that cannot be applied on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await t.collections.create({ name: 'staff', type: 'base', fields: [{ name: 'code', type: 'text' }] });
      const rule = `@collection.staff.code ?= "${SECRET}"`;
      await t.collections.create({
        name: 'memos',
        type: 'base',
        listRule: rule,
        viewRule: rule,
        fields: [{ name: 'title', type: 'text' }],
      });
      const memos = t.collections.get('memos').id;
      await t.collections.create({
        name: 'replies',
        type: 'base',
        listRule: '',
        fields: [{ name: 'memo', type: 'relation', collectionId: memos, maxSelect: 1 }],
      });
      // The rule was valid when saved; the collection it reads is gone now.
      await t.collections.delete('staff');
    });
    after(async () => t.cleanup());

    for (const [what, url] of [
      ['a list under the rule', '/api/collections/memos/records'],
      ['a filter that crosses into the collection', '/api/collections/replies/records?filter=memo.title%3D%22x%22'],
    ] as const) {
      it(`never shows the rule's text to a guest in ${what}`, async () => {
        const reply = await t.app.inject({ method: 'GET', url });
        assert.equal(reply.statusCode, 400);
        const body = reply.json();
        assert.equal(body.code, 'FILTER_INVALID');
        for (const secret of [SECRET, '@collection', 'staff.code']) assert.ok(!reply.body.includes(secret), reply.body);
        assert.match(body.message, /listRule of memos/);
      });
    }
  });
}
