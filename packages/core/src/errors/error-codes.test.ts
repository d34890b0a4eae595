import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCatalog } from './error-codes.js';

describe('the error catalog', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, entry] of Object.entries(errorCatalog))
      assert.equal(documented.get(code), entry.status, `${code} in docs/errors.md`);
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys())
      assert.ok(code in errorCatalog, `${code} is documented but not in the catalog`);
  });
});
