/**
 * The same questions over REST and GraphQL, asked by a guest, a user and a superuser, on
 * both databases: the same records come back and the same refusals (catalog code and
 * status) are given. GraphQL is an adapter over the same actions; this table keeps it one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ident, sql } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { bearer, call, setUpOwnerNotes } from '@tandem/server/testing';
import { createGraphqlTestApp, gql, superuserToken, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

type Caller = 'guest' | 'ann' | 'ben' | 'root';
type Outcome = { ok: true; value: unknown } | { ok: false; code: string; status: number };

/** One row: a REST request and a GraphQL query that ask the same thing, and how to compare answers. */
interface ParityRow {
  readonly name: string;
  readonly rest: (ids: Fixture) => { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown };
  readonly graphql: (ids: Fixture) => string;
  /** The comparable part of a successful REST body. */
  readonly fromRest: (body: any) => unknown;
  /** The comparable part of successful GraphQL data. */
  readonly fromGraphql: (data: any) => unknown;
}

interface Fixture {
  annNote: string;
  benNote: string;
  link: string;
}

const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();
const secretsOf = (items: { id: string; secret?: string }[]) => items.map((i) => `${i.id}:${i.secret ?? ''}`).sort();

const rows: ParityRow[] = [
  {
    name: 'list notes (owner-only list rule)',
    rest: () => ({ method: 'GET', url: '/api/collections/notes/records?perPage=100' }),
    graphql: () => '{ notes(perPage: 100) { totalItems items { id secret } } }',
    fromRest: (b) => [b.totalItems, secretsOf(b.items)],
    fromGraphql: (d) => [d.notes.totalItems, secretsOf(d.notes.items)],
  },
  {
    name: "view ann's note (view rule; hidden is a 404 / null)",
    rest: (f) => ({ method: 'GET', url: `/api/collections/notes/records/${f.annNote}` }),
    graphql: (f) => `{ notes_by_id(id: "${f.annNote}") { id secret } }`,
    fromRest: (b) => ({ id: b.id, secret: b.secret }),
    fromGraphql: (d) => d.notes_by_id,
  },
  {
    name: 'filter links through a relation path (target list rule applies)',
    rest: () => ({
      method: 'GET',
      url: `/api/collections/links/records?perPage=100&filter=${encodeURIComponent('note.secret ~ "s"')}`,
    }),
    graphql: () => '{ links(perPage: 100, filter: "note.secret ~ \\"s\\"") { items { id } } }',
    fromRest: (b) => ids(b.items),
    fromGraphql: (d) => ids(d.links.items),
  },
  {
    name: 'relations and back-relations (expand) resolve only to viewable records',
    rest: () => ({ method: 'GET', url: '/api/collections/links/records?perPage=100&expand=note,notes,notes_via_link' }),
    graphql: () => '{ links(perPage: 100) { items { id note { id } notes { id } notes_via_link { id } } } }',
    fromRest: (b) =>
      b.items
        .map((l: any) => [
          l.id,
          l.expand?.note?.id ?? null,
          ids(l.expand?.notes ?? []),
          ids(l.expand?.notes_via_link ?? []),
        ])
        .sort(),
    fromGraphql: (d) =>
      d.links.items.map((l: any) => [l.id, l.note?.id ?? null, ids(l.notes), ids(l.notes_via_link)]).sort(),
  },
  {
    name: 'an invalid filter',
    rest: () => ({ method: 'GET', url: `/api/collections/notes/records?filter=${encodeURIComponent('(((')}` }),
    graphql: () => '{ notes(filter: "(((") { items { id } } }',
    fromRest: () => null,
    fromGraphql: () => null,
  },
  {
    name: 'list superusers (locked rule)',
    rest: () => ({ method: 'GET', url: '/api/collections/_superusers/records' }),
    graphql: () => '{ _superusers { totalItems } }',
    fromRest: (b) => b.totalItems,
    fromGraphql: (d) => d._superusers.totalItems,
  },
  {
    name: "update ben's note (update rule)",
    rest: (f) => ({ method: 'PATCH', url: `/api/collections/notes/records/${f.benNote}`, body: { rank: 2 } }),
    graphql: (f) => `mutation { update_notes(id: "${f.benNote}", data: { rank: 2 }) { id rank } }`,
    fromRest: (b) => ({ id: b.id, rank: b.rank }),
    fromGraphql: (d) => d.update_notes,
  },
  {
    name: 'create a link (validation of an unknown relation id)',
    rest: () => ({
      method: 'POST',
      url: '/api/collections/links/records',
      body: { label: 'x', note: 'nosuchnote0000' },
    }),
    graphql: () => 'mutation { create_links(data: { label: "x", note: "nosuchnote0000" }) { id } }',
    fromRest: () => 'created',
    fromGraphql: () => 'created',
  },
  {
    name: "delete ann's note (delete rule)",
    rest: (f) => ({ method: 'DELETE', url: `/api/collections/notes/records/${f.annNote}` }),
    graphql: (f) => `mutation { delete_notes(id: "${f.annNote}") }`,
    fromRest: () => true,
    fromGraphql: (d) => d.delete_notes,
  },
];

for (const { name: dialect, skip } of testDialects) {
  describe(`REST and GraphQL answer alike on ${dialect}`, { skip }, () => {
    let t: GraphqlTestApp;
    const headers = {} as Record<Caller, Record<string, string>>;

    before(async () => {
      t = await createGraphqlTestApp(dialect);
      const { ann, ben } = await setUpOwnerNotes(t);
      headers.guest = {};
      headers.ann = bearer(ann.token);
      headers.ben = bearer(ben.token);
      headers.root = bearer(await superuserToken(t));
      Object.assign(t, { users: { ann: ann.id, ben: ben.id } });
    });
    after(async () => t.cleanup());

    /** A fresh data set per row and caller, so writes of one run never meet the next. */
    async function seed(): Promise<Fixture> {
      const { ann, ben } = (t as unknown as { users: { ann: string; ben: string } }).users;
      const f = { annNote: 'annnote00000001', benNote: 'bennote00000001', link: 'publiclink00001' };
      await t.seed('links', { id: f.link, label: 'public' });
      await t.seed('notes', { id: f.annNote, owner: ann, secret: 'ann-s', rank: 1, link: f.link });
      await t.seed('notes', { id: f.benNote, owner: ben, secret: 'ben-s', rank: 1, link: f.link });
      await t.seed('links', { id: 'annlink00000001', label: 'to ann', note: f.annNote, notes: [f.annNote, f.benNote] });
      return f;
    }

    async function restOutcome(row: ParityRow, f: Fixture, caller: Caller): Promise<Outcome> {
      const request = row.rest(f);
      const answer = await call(t, request.method, request.url, request.body, headers[caller]);
      if (answer.status >= 400) return { ok: false, code: answer.body.code, status: answer.status };
      return { ok: true, value: row.fromRest(answer.body) };
    }

    async function graphqlOutcome(row: ParityRow, f: Fixture, caller: Caller): Promise<Outcome> {
      const answer = await gql(t, row.graphql(f), undefined, headers[caller]);
      const error = answer.body.errors?.[0];
      if (error) return { ok: false, code: error.extensions.code, status: error.extensions.status };
      // A hidden record is REST's 404 and GraphQL's null: the same refusal.
      const value = row.fromGraphql(answer.body.data);
      if (value === null && row.name.startsWith('view')) return { ok: false, code: 'RECORD_NOT_FOUND', status: 404 };
      return { ok: true, value };
    }

    for (const row of rows)
      for (const caller of ['guest', 'ann', 'ben', 'root'] as const)
        it(`${row.name}, as ${caller}`, async () => {
          await clearData(t);
          const rest = await restOutcome(row, await seed(), caller);
          await clearData(t);
          const graphql = await graphqlOutcome(row, await seed(), caller);
          assert.deepEqual(graphql, rest);
        });
  });
}

async function clearData(t: GraphqlTestApp): Promise<void> {
  for (const name of ['links', 'notes']) await t.store.run(sql`DELETE FROM ${ident(name)}`);
}
