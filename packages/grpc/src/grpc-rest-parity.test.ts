/**
 * gRPC and REST reach the same actions: the same principal and input give the same
 * record, page or refusal (REST's error body, carried in `tandem-error-bin`, with the
 * gRPC status the catalog maps its code to), whichever protocol carried them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { call } from '@tandem/server/testing';
import { grpcCodeOf } from './status/grpc-codes.js';
import {
  auth,
  connectByReflection,
  recordJson,
  seedScenario,
  startGrpcTestServer,
  struct,
  unary,
  type GrpcTestServer,
  type ReflectedClient,
  type ScenarioPrincipals,
} from './testing/index.fixture.js';

type Who = 'guest' | 'user' | 'superuser';
type Rpc = 'List' | 'Get' | 'Create' | 'Update' | 'Delete';
const HTTP: Record<Rpc, 'GET' | 'POST' | 'PATCH' | 'DELETE'> = {
  List: 'GET',
  Get: 'GET',
  Create: 'POST',
  Update: 'PATCH',
  Delete: 'DELETE',
};

/** One row: who calls, which method on which collection, with what; `fresh` writes act on a new record. */
interface Row {
  readonly name: string;
  /** REST's status: the row's case, checked so the table cannot drift into testing something else. */
  readonly status: number;
  readonly who: Who;
  readonly rpc: Rpc;
  readonly collection: string;
  readonly fresh?: 'notes' | 'tasks';
  readonly query?: Record<string, string>;
  readonly body?: Record<string, unknown>;
  readonly id?: string;
}

const rows: readonly Row[] = [
  {
    name: 'a filtered, sorted page',
    status: 200,
    who: 'guest',
    rpc: 'List',
    collection: 'notes',
    query: { filter: 'stars >= 2', sort: '-stars', perPage: '2' },
  },
  {
    name: 'a page without totals',
    status: 200,
    who: 'guest',
    rpc: 'List',
    collection: 'notes',
    query: { skipTotal: 'true', fields: 'id,title' },
  },
  {
    name: 'a record with a fields pick',
    status: 200,
    who: 'guest',
    rpc: 'Get',
    collection: 'notes',
    fresh: 'notes',
    query: { fields: 'title' },
  },
  { name: 'an unknown collection', status: 404, who: 'guest', rpc: 'List', collection: 'nope' },
  { name: 'a missing record', status: 404, who: 'user', rpc: 'Get', collection: 'notes', id: 'missing00000000' },
  {
    name: 'a broken filter',
    status: 400,
    who: 'guest',
    rpc: 'List',
    collection: 'notes',
    query: { filter: 'stars >' },
  },
  {
    name: 'an unknown sort field',
    status: 400,
    who: 'guest',
    rpc: 'List',
    collection: 'notes',
    query: { sort: 'nope' },
  },
  {
    name: 'a forbidden macro',
    status: 403,
    who: 'user',
    rpc: 'List',
    collection: 'notes',
    query: { filter: '@collection.notes.title = "x"' },
  },
  {
    name: 'an unknown expand, ignored as REST ignores it',
    status: 200,
    who: 'superuser',
    rpc: 'Get',
    collection: 'tasks',
    fresh: 'tasks',
    query: { expand: 'nope' },
  },
  { name: 'the owner lists her tasks', status: 200, who: 'user', rpc: 'List', collection: 'tasks' },
  { name: "a guest's view of a task", status: 404, who: 'guest', rpc: 'Get', collection: 'tasks', fresh: 'tasks' },
  {
    name: 'a create',
    status: 200,
    who: 'guest',
    rpc: 'Create',
    collection: 'notes',
    body: { title: 'made', stars: 1, meta: { a: [1, null] } },
  },
  {
    name: 'a create that fails validation',
    status: 400,
    who: 'guest',
    rpc: 'Create',
    collection: 'notes',
    body: { title: 'x'.repeat(41), stars: 1.5 },
  },
  {
    name: 'a create the rule refuses',
    status: 400,
    who: 'guest',
    rpc: 'Create',
    collection: 'tasks',
    body: { title: 'no' },
  },
  {
    name: 'an update by the owner',
    status: 200,
    who: 'user',
    rpc: 'Update',
    collection: 'tasks',
    fresh: 'tasks',
    body: { title: 'changed' },
  },
  {
    name: 'an update by a guest',
    status: 404,
    who: 'guest',
    rpc: 'Update',
    collection: 'tasks',
    fresh: 'tasks',
    body: { title: 'hijack' },
  },
  {
    name: 'a delete nobody but superusers may do',
    status: 403,
    who: 'user',
    rpc: 'Delete',
    collection: 'tasks',
    fresh: 'tasks',
  },
  {
    name: 'a delete by a superuser',
    status: 204,
    who: 'superuser',
    rpc: 'Delete',
    collection: 'tasks',
    fresh: 'tasks',
  },
];

for (const { name: dialect, skip } of testDialects) {
  describe(`gRPC and REST give the same answers and refusals, on ${dialect}`, { skip }, () => {
    let s: GrpcTestServer;
    let client: ReflectedClient;
    let who: ScenarioPrincipals;
    let next = 0;

    before(async () => {
      s = await startGrpcTestServer(dialect);
      client = await connectByReflection(s.address);
      who = await seedScenario(s, client.clients['tandem.v1.Auth']!);
      for (const [title, stars] of [
        ['low', 1],
        ['mid', 2],
        ['high', 3],
      ] as const)
        await s.t.seed('notes', { title, stars });
    });
    after(async () => {
      client.close();
      await s.close();
    });

    /** A record for one write, the same for both protocols but for its id. */
    async function freshRecord(collection: 'notes' | 'tasks'): Promise<string> {
      const id = `parity${String(next++).padStart(9, '0')}`;
      const body =
        collection === 'notes' ? { id, title: 'fresh', stars: 5 } : { id, title: 'fresh', owner: who.userId };
      await s.t.seed(collection, body);
      return id;
    }

    async function overRest(row: Row, id: string | undefined) {
      const token = who.tokens[row.who];
      const path = `/api/collections/${row.collection}/records${id ? `/${id}` : ''}`;
      const url = row.query ? `${path}?${new URLSearchParams(row.query)}` : path;
      const answer = await call(s.t, HTTP[row.rpc], url, row.body, token ? { authorization: token } : {});
      return { status: answer.status, body: answer.body };
    }

    async function overGrpc(row: Row, id: string | undefined) {
      const q = row.query ?? {};
      const request = {
        collection: row.collection,
        id: id ?? '',
        filter: q.filter ?? '',
        sort: q.sort ?? '',
        per_page: Number(q.perPage ?? 0),
        skip_total: q.skipTotal === 'true',
        expand: q.expand ?? '',
        fields: q.fields ?? '',
        data: row.body ? struct(row.body) : null,
      };
      return unary(client.clients['tandem.v1.Records']!, row.rpc, request, auth(who.tokens[row.who]));
    }

    /** Ids differ between the two runs of a write; everything else must not. */
    const withoutId = (record: Record<string, unknown>, drop: boolean) => {
      const { id: _id, ...rest } = record;
      return drop ? rest : record;
    };

    for (const row of rows) {
      it(`${row.name} (${row.who} ${row.rpc} ${row.collection})`, async () => {
        const restId = row.fresh ? await freshRecord(row.fresh) : row.id;
        const grpcId = row.fresh ? await freshRecord(row.fresh) : row.id;
        const rest = await overRest(row, restId);
        assert.equal(rest.status, row.status, 'the row meets the case it names');
        const grpc = await overGrpc(row, grpcId);
        const perRecord = row.fresh !== undefined || row.rpc === 'Create';
        if (rest.status >= 400) {
          assert.equal(grpc.ok, false, `REST refused with ${rest.status}; gRPC answered`);
          if (grpc.ok) return;
          assert.deepEqual(grpc.error.body, rest.body, 'the same error body');
          assert.equal(grpc.error.code, grpcCodeOf[rest.body.code as keyof typeof grpcCodeOf]);
          return;
        }
        assert.ok(grpc.ok, `REST answered ${rest.status}; gRPC refused: ${!grpc.ok && grpc.error.details}`);
        if (row.rpc === 'Delete') return assert.deepEqual([rest.status, grpc.value], [204, {}]);
        if (row.rpc !== 'List')
          return assert.deepEqual(
            withoutId(recordJson(grpc.value), perRecord),
            withoutId(withDefaults(rest.body), perRecord),
          );
        const { items, ...page } = rest.body;
        const { items: grpcItems, page: p, per_page, total_items, total_pages } = grpc.value;
        assert.deepEqual({ page: p, perPage: per_page, totalItems: total_items, totalPages: total_pages }, page);
        assert.deepEqual(grpcItems.map(recordJson), items.map(withDefaults));
      });
    }
  });
}

/** REST's record with the system keys a fields pick may leave out, as a Record message carries them (empty). */
function withDefaults(record: Record<string, unknown>): Record<string, unknown> {
  return { id: '', collectionId: '', collectionName: '', ...record };
}
