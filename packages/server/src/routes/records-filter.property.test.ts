import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { blogCollections, blogRecords } from '../testing/blog-fixture.fixture.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`records filter properties: seed=${seed} runs=${RUNS} (rerun with SEED=${seed})`);

const fields = [
  'id',
  'title',
  'body',
  'views',
  'rating',
  'published',
  'tags',
  'status',
  'author',
  'editors',
  'meta',
  'meta.lang',
  'author.name',
  'author.secret',
  'editors.name',
  'comments_via_post.body',
  'comments_via_post.by.name',
  'created',
  'tags:length',
  'title:lower',
  'tags:each',
  '@request.auth.id',
  '@request.method',
  '@now',
  '@collection.posts.title',
  'nope',
  'locked',
  'views.x',
];
const operators = ['=', '!=', '>', '>=', '<', '<=', '~', '!~', '?=', '?!=', '?>', '?<', '?~', '?!~'];
const literals = [
  '"Ada"',
  "'live'",
  '""',
  '0',
  '10',
  '-1.5',
  '1e3',
  'true',
  'false',
  'null',
  '"%"',
  "'_'",
  '"a\\"b"',
  '"b"',
  '@now',
  '@todayStart',
];
const noise = [
  "'",
  '"',
  '(',
  ')',
  '&&',
  '||',
  '=',
  '~',
  '%',
  '\\',
  '--',
  ';',
  ' ',
  '\u0000',
  '\u202e',
  '//',
  '\n',
  'é',
  '😀',
  'DROP TABLE posts',
  "' OR 1=1 --",
];

const comparison = fc
  .tuple(fc.constantFrom(...fields), fc.constantFrom(...operators), fc.constantFrom(...literals, ...fields))
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const wellFormed: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expr').map((e) => `(${e})`),
  ),
})).expr;
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(fc.constantFrom(...noise, ...fields, ...operators, ...literals), { maxLength: 16 })
    .map((parts) => parts.join(' ')),
  fc
    .array(fc.constantFrom(...noise, ...fields, ...operators, ...literals), { maxLength: 16 })
    .map((parts) => parts.join('')),
);
const anyFilter = fc.oneof(wellFormed, hostile);

for (const { name: dialect, skip } of testDialects) {
  describe(`filter properties over the API on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const baseline = new Map<string, Set<string>>();

    const list = async (collection: string, filter: string) => {
      const url = `/api/collections/${collection}/records?perPage=1000&skipTotal=1&filter=${encodeURIComponent(filter)}`;
      const response = await t.app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.body };
    };

    before(async () => {
      t = await createTestApp(dialect);
      await t.collections.import(blogCollections());
      for (const [collection, record] of blogRecords()) await t.seed(collection, record);
      for (const collection of ['posts', 'drafts']) {
        const { body } = await list(collection, '');
        baseline.set(collection, new Set(JSON.parse(body).items.map((i: { id: string }) => i.id)));
      }
    });
    after(async () => t.cleanup());

    it('answers every generated or hostile filter with 200, 400 or 403, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(anyFilter, async (filter) => {
          const { status, body } = await list('posts', filter);
          assert.ok(
            [200, 400, 403].includes(status),
            `status ${status} for ${JSON.stringify(filter)}: ${body.slice(0, 300)}`,
          );
        }),
        { numRuns: RUNS, seed },
      );
    });

    it('never returns a row that the unfiltered list would not return', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('posts', 'drafts'), wellFormed, async (collection, filter) => {
          const { status, body } = await list(collection, filter);
          if (status !== 200) return;
          const allowed = baseline.get(collection)!;
          for (const item of JSON.parse(body).items as Array<{ id: string }>)
            assert.ok(allowed.has(item.id), `${item.id} leaked through ${JSON.stringify(filter)}`);
        }),
        { numRuns: RUNS, seed: seed + 1 },
      );
    });
  });
}
