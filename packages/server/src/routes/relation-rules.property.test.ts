/**
 * Non-interference through relations: what a caller gets from a public collection must
 * not depend on the records of another collection that the caller may not list, however
 * the filter, sort or expand reaches them. The test answers many random queries, then
 * changes (and blanks) every owner-only note the caller may not list, asks again and
 * demands byte-equal answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internalRequest, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import {
  seededRandom,
  seedRandomNotes,
  setUpOwnerNotes,
  type FixtureUser,
} from '../testing/owner-notes-fixture.fixture.js';

const QUERIES = Number(process.env.PROPERTY_RUNS ?? 250);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`relation rules non-interference: seed=${seed} queries=${QUERIES} (rerun with SEED=${seed})`);

const paths = [
  'note.secret',
  'note.rank',
  'notes.secret',
  'notes.rank',
  'notes_via_link.secret',
  'notes_via_link.rank',
  'note.owner',
  'note.id',
  'notes_via_link.id',
  'note.link.label',
  'note.link.note.secret',
  'note.link.notes_via_link.rank',
  'note.secret:lower',
  'notes_via_link.secret:length',
  'notes.secret:length',
  'label',
  'note',
  'notes',
];
const operators = ['=', '!=', '>', '<', '~', '!~', '?=', '?!=', '?>', '?~'];
const literals = ['"a"', '"b%"', '"%a%"', '"ab"', '""', '0', '3', '5', 'null', '"c"'];
const comparison = fc
  .tuple(fc.constantFrom(...paths), fc.constantFrom(...operators), fc.constantFrom(...literals, ...paths))
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const filter = fc
  .array(comparison, { minLength: 1, maxLength: 3 })
  .chain((parts) =>
    fc
      .array(fc.constantFrom(' && ', ' || '), { minLength: parts.length - 1, maxLength: parts.length - 1 })
      .map((ops) => parts.reduce((acc, part, i) => `${acc}${ops[i - 1]}${part}`)),
  );
const sortKey = fc.constantFrom(
  'note.secret',
  '-note.secret',
  'note.rank',
  '-note.rank',
  'note.link.note.secret',
  '-note.link.note.rank',
  'label',
);
const sort = fc.array(sortKey, { minLength: 1, maxLength: 2 }).map((keys) => `${keys.join(',')},id`);
const query = fc.record({
  filter: fc.option(filter, { nil: undefined }),
  sort: fc.option(sort, { nil: undefined }),
  expand: fc.constantFrom(undefined, 'note', 'notes,note.link', 'notes_via_link'),
});
const asFixture = internalRequest(superuser('fixture0000001'));
type Query = { filter?: string; sort?: string; expand?: string };

function urlOf(q: Query): string {
  const params = new URLSearchParams({ perPage: '500', skipTotal: '1' });
  for (const [key, value] of Object.entries(q)) if (value !== undefined) params.set(key, value);
  return `/api/collections/links/records?${params}`;
}

for (const { name: dialect, skip } of testDialects) {
  describe(`relation paths on ${dialect} reveal nothing of records the caller may not list`, { skip }, () => {
    let t: TestApp;
    let ann: FixtureUser;
    let ben: FixtureUser;
    const noteIds: { id: string; owner: string }[] = [];

    before(async () => {
      t = await createTestApp(dialect);
      ({ ann, ben } = await setUpOwnerNotes(t));
      noteIds.push(...(await seedRandomNotes(t, { ann, ben }, seed)));
    });
    after(async () => t.cleanup());

    /** Rewrites every note the caller may not list (owned by another than `keeper`; a guest lists ownerless notes). */
    async function rewriteHidden(
      keeper: string,
      values: (i: number) => { secret: string; rank: number },
    ): Promise<void> {
      let i = 0;
      for (const note of noteIds)
        if (note.owner !== keeper) await t.records.update('notes', note.id, values(i++), {}, asFixture);
    }

    async function answers(queries: readonly Query[], headers: Record<string, string>): Promise<string[]> {
      const out: string[] = [];
      for (const q of queries) {
        const answer = await call(t, 'GET', urlOf(q), undefined, headers);
        assert.ok(answer.status < 500, `${answer.status} for ${JSON.stringify(q)}: ${answer.raw.slice(0, 300)}`);
        out.push(`${answer.status} ${answer.raw}`);
      }
      return out;
    }

    it('answers a guest and a user the same whatever the notes they may not list hold', async () => {
      const queries = fc.sample(query, { numRuns: QUERIES, seed });
      const callers = [
        { name: 'guest', headers: {}, keeper: '' },
        { name: 'ann', headers: bearer(ann.token), keeper: ann.id },
      ];
      for (const caller of callers) {
        const before = await answers(queries, caller.headers);
        const random = seededRandom(seed + 7);
        await rewriteHidden(caller.keeper, () => ({ secret: random.text(), rank: random.int(6) }));
        const changed = await answers(queries, caller.headers);
        await rewriteHidden(caller.keeper, () => ({ secret: '', rank: 0 }));
        const blanked = await answers(queries, caller.headers);
        for (let i = 0; i < queries.length; i += 1) {
          assert.equal(
            changed[i],
            before[i],
            `${caller.name}: ${JSON.stringify(queries[i])} depends on notes the caller may not list`,
          );
          assert.equal(
            blanked[i],
            before[i],
            `${caller.name}: ${JSON.stringify(queries[i])} depends on notes the caller may not list (blanked)`,
          );
        }
      }
    });

    it('refuses the character-by-character oracle and the sort oracle of the report', async () => {
      const hidden = await t.seed('notes', { owner: ben.id, secret: 'zebra', rank: 1 });
      const link = await t.seed('links', { label: 'probe', note: hidden.id });
      const probe = (filterText: string, headers: Record<string, string> = {}) =>
        call(t, 'GET', `/api/collections/links/records?filter=${encodeURIComponent(filterText)}`, undefined, headers);
      for (const headers of [{}, bearer(ann.token)]) {
        assert.deepEqual((await probe(`id = "${link.id}" && note.secret ~ "z%"`, headers)).body.items, []);
        assert.deepEqual(
          (
            await probe(
              `id = "${link.id}" && notes_via_link.secret ?= "zebra" || id = "${link.id}" && note.rank = 1`,
              headers,
            )
          ).body.items,
          [],
        );
      }
      const own = await probe(`id = "${link.id}" && note.secret ~ "z%"`, bearer(ben.token));
      assert.deepEqual(
        own.body.items.map((i: { id: string }) => i.id),
        [link.id],
        'the owner still filters through the relation',
      );
    });
  });
}
