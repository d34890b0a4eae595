#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js) with node's test runner.
// Test support (`*.fixture.ts`, the `./testing` exports) resolves only under the
// `tandem-test` condition, so it never ships in a package.
// Usage: node scripts/run-tests.mjs [path-filter]   e.g. `node scripts/run-tests.mjs filter/`
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
// A test that hangs fails after this long instead of holding CI until its own limit.
const TEST_TIMEOUT_MS = 5 * 60 * 1000;
const filter = process.argv[2] ?? '';

function testFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...testFiles(path));
    else if (name.endsWith('.test.js')) files.push(path);
  }
  return files;
}

const files = readdirSync(join(root, 'packages'))
  .map((pkg) => join(root, 'packages', pkg, 'dist'))
  .filter((dist) => {
    try {
      return statSync(dist).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(testFiles)
  .filter((file) => file.includes(filter))
  .sort();

if (files.length === 0) {
  console.error(`no test files found${filter ? ` matching ${filter}` : ''}; run "npm run build" first`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--conditions=tandem-test', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
