/**
 * The relation non-interference property of the REST suite
 * (server/src/routes/relation-rules.property.test.ts), asked over GraphQL: what a caller
 * gets from public `links` — through filters, sorts, relation fields and back-relations —
 * must not depend on the owner-only `notes` the caller may not list.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internalRequest, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { bearer, seededRandom, seedRandomNotes, setUpOwnerNotes, type FixtureUser } from '@tandem/server/testing';
import { createGraphqlTestApp, gql, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

const QUERIES = Number(process.env.PROPERTY_RUNS ?? 100);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`GraphQL relation rules non-interference: seed=${seed} queries=${QUERIES} (rerun with SEED=${seed})`);

const paths = ['note.secret', 'note.rank', 'notes.secret', 'notes_via_link.secret', 'note.link.note.secret', 'label'];
const operators = ['=', '!=', '>', '<', '~', '?=', '?~'];
const literals = ['"a"', '"b%"', '""', '0', '3', 'null'];
const comparison = fc
  .tuple(fc.constantFrom(...paths), fc.constantFrom(...operators), fc.constantFrom(...literals))
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const filter = fc.array(comparison, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' || '));
const sort = fc.constantFrom('note.secret', '-note.rank', 'note.link.note.secret', 'label');
const selection = fc.constantFrom(
  'id label',
  'id note { id secret rank }',
  'id notes { id secret } note { link { label note { secret } } }',
  'id notes_via_link { id secret rank }',
);
const query = fc
  .record({ filter: fc.option(filter, { nil: undefined }), sort: fc.option(sort, { nil: undefined }), selection })
  .map(({ filter: f, sort: s, selection: sel }) => {
    const args = [`perPage: 500`, f ? `filter: ${JSON.stringify(f)}` : '', s ? `sort: "${s},id"` : 'sort: "id"'];
    return `{ links(${args.filter(Boolean).join(', ')}) { items { ${sel} } } }`;
  });
const asFixture = internalRequest(superuser('fixture0000001'));

for (const { name: dialect, skip } of testDialects) {
  describe(`GraphQL relations on ${dialect} reveal nothing of records the caller may not list`, { skip }, () => {
    let t: GraphqlTestApp;
    let ann: FixtureUser;
    const notes: { id: string; owner: string }[] = [];

    before(async () => {
      t = await createGraphqlTestApp(dialect);
      let ben: FixtureUser;
      ({ ann, ben } = await setUpOwnerNotes(t));
      notes.push(...(await seedRandomNotes(t, { ann, ben }, seed)));
    });
    after(async () => t.cleanup());

    async function answers(queries: readonly string[], headers: Record<string, string>): Promise<string[]> {
      const out: string[] = [];
      for (const q of queries) {
        const answer = await gql(t, q, undefined, headers);
        assert.ok(answer.status < 500, `${answer.status} for ${q}: ${answer.raw.slice(0, 300)}`);
        out.push(`${answer.status} ${answer.raw}`);
      }
      return out;
    }

    async function rewriteHidden(keeper: string, values: () => { secret: string; rank: number }): Promise<void> {
      for (const note of notes)
        if (note.owner !== keeper) await t.records.update('notes', note.id, values(), {}, asFixture);
    }

    it('answers a guest and a user the same whatever the notes they may not list hold', async () => {
      const queries = fc.sample(query, { numRuns: QUERIES, seed });
      for (const caller of [
        { name: 'guest', headers: {}, keeper: '' },
        { name: 'ann', headers: bearer(ann.token), keeper: ann.id },
      ]) {
        const before = await answers(queries, caller.headers);
        assert.ok(
          before.some((a) => a.includes('"items":[{')),
          'some queries return records',
        );
        const random = seededRandom(seed + 7);
        await rewriteHidden(caller.keeper, () => ({ secret: random.text(), rank: random.int(6) }));
        const changed = await answers(queries, caller.headers);
        for (let i = 0; i < queries.length; i += 1)
          assert.equal(changed[i], before[i], `${caller.name}: ${queries[i]} depends on notes the caller may not list`);
      }
    });
  });
}
