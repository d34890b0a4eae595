import { after, before, beforeEach, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { PARAMS_TABLE, ident, sql } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { runScenario } from '../testing/scenario.fixture.js';
import { testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { batchApiScenarios, batchCollections } from './batch-api-scenarios.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`batch API scenarios on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      // A small general body limit shows that batch bodies have their own.
      t = await createTestApp(dialect, { bodyLimit: 32 * 1024 }, testPrincipalResolver);
    });
    after(async () => t.cleanup());
    beforeEach(async () => {
      await resetBlog(t, batchCollections);
      await t.store.run(sql`DELETE FROM ${ident(PARAMS_TABLE)}`);
      await t.settings.load();
    });

    it(`has at least 35 scenarios (${batchApiScenarios.length})`, () => assert.ok(batchApiScenarios.length >= 35));
    for (const scenario of batchApiScenarios) it(scenario.name, () => runScenario(t, scenario));
  });
}

describe('batch body limit on a chunked body', () => {
  it('answers 413 once the bytes received pass batch.maxBodySize', async () => {
    const t = await createTestApp('sqlite', {}, testPrincipalResolver);
    try {
      await t.settings.update({ batch: { maxBodySize: 100 } });
      const chunks = [
        '{"requests":[',
        ...Array.from({ length: 20 }, () => '{"method":"DELETE","url":"/x"},'),
        '{"method":"DELETE","url":"/x"}]}',
      ];
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/batch',
        headers: { 'content-type': 'application/json' },
        payload: Readable.from(chunks.map((c) => Buffer.from(c))),
      });
      assert.equal(response.statusCode, 413, response.body);
      assert.equal(JSON.parse(response.body).code, 'BODY_TOO_LARGE');
    } finally {
      await t.cleanup();
    }
  });
});
