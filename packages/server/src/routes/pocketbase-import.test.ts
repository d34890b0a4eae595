import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFieldTypeName } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import {
  pocketbaseExport,
  withoutFileFields,
  type PocketbaseExportName,
} from '../testing/pocketbase-exports.fixture.js';

/** The export as this build can take it: file fields wait for the file field type. */
function exportFile(name: PocketbaseExportName): Record<string, unknown>[] {
  const collections = pocketbaseExport(name);
  return isFieldTypeName('file') ? collections : withoutFileFields(collections);
}

const expected: Record<PocketbaseExportName, { names: string[]; notices: RegExp[] }> = {
  'v0.22': { names: ['users', 'notes', 'note_counts'], notices: [/users: upgraded from the PocketBase 0\.22/] },
  'v0.23': { names: ['users', 'posts', 'post_stats'], notices: [] },
  current: {
    names: ['users', 'trips', 'expenses', 'announcements', 'trip_totals'],
    notices: [/^_superusers: mapped/, /^_authOrigins:/, /^_externalAuths:/, /^_mfas:/, /^_otps:/],
  },
};

for (const { name: dialect, skip } of testDialects) {
  describe(`importing PocketBase exports on ${dialect}`, { skip }, () => {
    for (const file of ['v0.22', 'v0.23', 'current'] as const) {
      describe(`the ${file} export`, () => {
        let t: TestApp;
        before(async () => {
          t = await createTestApp(dialect);
        });
        after(async () => t.cleanup());

        it('imports as exported, with a notice for each thing done differently', async () => {
          const result = await t.collections.import(exportFile(file));
          const settled = [...result.created, ...result.updated];
          assert.deepEqual(settled.sort(), [...expected[file].names].sort());
          for (const notice of expected[file].notices)
            assert.ok(
              result.notices.some((n) => notice.test(n)),
              `${notice} in ${result.notices.join(' | ')}`,
            );
        });

        it('changes nothing when the same file is imported again', async () => {
          const result = await t.collections.import(exportFile(file));
          assert.deepEqual(result.created, []);
          assert.deepEqual(result.updated, []);
        });
      });
    }
  });
}
