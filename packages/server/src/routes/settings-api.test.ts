import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PARAMS_TABLE, ident, sql } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { runScenario } from '../testing/scenario.fixture.js';
import { testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { settingsApiScenarios } from './settings-api-scenarios.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`settings API scenarios on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, {}, testPrincipalResolver);
    });
    after(async () => t.cleanup());
    beforeEach(async () => {
      await t.store.run(sql`DELETE FROM ${ident(PARAMS_TABLE)}`);
      await t.settings.load();
    });

    it(`has at least 25 scenarios (${settingsApiScenarios.length})`, () =>
      assert.ok(settingsApiScenarios.length >= 25));
    for (const scenario of settingsApiScenarios) it(scenario.name, () => runScenario(t, scenario));
  });
}
