import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { sql } from '../sql/sql.js';
import { isAppError } from '../errors/app-error.js';
import { SettingsService } from './settings-service.js';
import { defaultSettings, resolveSettings, type Settings } from './settings-schema.js';

describe('resolveSettings', () => {
  it('fills every section from the current settings', () => {
    assert.deepEqual(resolveSettings(defaultSettings, {}), defaultSettings);
  });

  it('returns a deeply frozen snapshot', () => {
    const next = resolveSettings(defaultSettings, {
      rateLimits: { rules: [{ label: 'x', maxRequests: 1, duration: 1 }] },
    });
    assert.ok(Object.isFrozen(next) && Object.isFrozen(next.rateLimits.rules[0]));
    assert.throws(() => {
      (next.batch as { maxRequests: number }).maxRequests = 1;
    });
  });

  it('nests errors by section and key, and by index in lists', () => {
    assert.throws(
      () =>
        resolveSettings(defaultSettings, {
          batch: { maxRequests: -1 },
          trustedProxy: { headers: ['ok', 'bad header'] },
        }),
      (error) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, 'SETTINGS_INVALID');
        assert.deepEqual(Object.keys(error.data).sort(), ['batch', 'trustedProxy']);
        assert.ok((error.data.trustedProxy as any).headers[1].code);
        return true;
      },
    );
  });
});

forEachStore((_name, open) => {
  it('creates _params and serves the defaults on a fresh database', async () => {
    const { store, cleanup } = await open();
    try {
      const settings = new SettingsService(store);
      assert.deepEqual(await settings.load(), defaultSettings);
      assert.equal((await store.all(sql`SELECT * FROM "_params"`)).length, 0);
    } finally {
      await cleanup();
    }
  });

  it('stores an update, tells the listeners, and loads it back', async () => {
    const { store, cleanup } = await open();
    try {
      const settings = new SettingsService(store);
      await settings.load();
      const heard: Settings[] = [];
      const stop = settings.onChange((s) => heard.push(s));
      await settings.update({ batch: { maxRequests: 7 }, smtp: { password: 'pw' } });
      await settings.update({ batch: { timeout: 9 } });
      stop();
      await settings.update({ batch: { enabled: false } });
      assert.deepEqual(
        heard.map((s) => [s.batch.maxRequests, s.batch.timeout]),
        [
          [7, 3],
          [7, 9],
        ],
      );
      const reloaded = await new SettingsService(store).load();
      assert.deepEqual(reloaded.batch, {
        enabled: false,
        maxRequests: 7,
        timeout: 9,
        maxBodySize: defaultSettings.batch.maxBodySize,
      });
      assert.equal(reloaded.smtp.password, 'pw');
      assert.equal(settings.redacted().smtp.password, '');
    } finally {
      await cleanup();
    }
  });

  it('keeps the previous settings when an update is invalid', async () => {
    const { store, cleanup } = await open();
    try {
      const settings = new SettingsService(store);
      await settings.load();
      let calls = 0;
      settings.onChange(() => calls++);
      await assert.rejects(settings.update({ batch: { maxRequests: 'many' } }), { code: 'SETTINGS_INVALID' });
      assert.equal(settings.get(), defaultSettings);
      assert.equal(calls, 0);
    } finally {
      await cleanup();
    }
  });

  it('refuses to start from stored settings that are invalid', async () => {
    const { store, cleanup } = await open();
    try {
      await new SettingsService(store).load();
      await store.run(
        sql`INSERT INTO "_params" ("key", "value", "updated") VALUES ('settings', ${JSON.stringify({ batch: { maxRequests: 0 } })}, '')`,
      );
      await assert.rejects(new SettingsService(store).load(), { code: 'SETTINGS_INVALID' });
    } finally {
      await cleanup();
    }
  });
});
