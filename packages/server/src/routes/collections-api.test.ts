import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { runScenario } from '../testing/scenario.fixture.js';
import { testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { collectionsApiScenarios } from './collections-api-scenarios.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`collections API scenarios on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, {}, testPrincipalResolver);
    });
    after(async () => t.cleanup());
    beforeEach(async () => resetBlog(t));

    it(`has at least 50 scenarios (${collectionsApiScenarios.length})`, () =>
      assert.ok(collectionsApiScenarios.length >= 50));
    for (const scenario of collectionsApiScenarios) it(scenario.name, () => runScenario(t, scenario));
  });
}
