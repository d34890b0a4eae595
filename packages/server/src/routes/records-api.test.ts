import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalRequest, superuser, sql, ident } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { blogCollections, blogRecords } from '../testing/blog-fixture.fixture.js';
import { runScenario } from '../testing/scenario.fixture.js';
import { recordsApiScenarios } from './records-api-scenarios.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`records API scenarios on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await t.collections.import(blogCollections());
    });
    after(async () => t.cleanup());
    beforeEach(async () => {
      // Children first, so no delete trips over a relation.
      for (const name of ['drafts', 'locked', 'refs', 'comments', 'posts', 'authors'])
        await t.store.run(sql`DELETE FROM ${ident(name)}`);
      for (const [collection, record] of blogRecords())
        await t.records.create(collection, record, {}, internalRequest(superuser()));
    });

    it(`has at least 60 scenarios (${recordsApiScenarios.length})`, () => assert.ok(recordsApiScenarios.length >= 60));
    for (const scenario of recordsApiScenarios) it(scenario.name, () => runScenario(t, scenario));
  });
}
