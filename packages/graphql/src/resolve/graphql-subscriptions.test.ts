/**
 * Subscriptions over `graphql-transport-ws`: each subscriber gets only what its rules let
 * it see, deletes arrive, and `since` resumes after a disconnect with no gap and no
 * duplicate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { internalRequest, sql, superuser, trimChanges } from '@tandem/core';
import { createClient, type Client } from 'graphql-ws';
import { setUpOwnerNotes, type FixtureUser } from '@tandem/server/testing';
import { createGraphqlTestApp, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

interface NoteEvent {
  action: string;
  seq: string;
  record: { id: string; secret?: string | null };
}

/** A subscriber: its client and every event it received. */
class Subscriber {
  readonly events: NoteEvent[] = [];
  readonly errors: unknown[] = [];
  readonly client: Client;
  #stop: (() => void) | undefined;

  constructor(url: string, token?: string) {
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: token ? { authorization: token } : {},
      onNonLazyError: (error) => this.errors.push(error),
    });
  }

  subscribe(args = ''): void {
    const query = `subscription { notes${args} { action seq record { id secret } } }`;
    this.#stop = this.client.subscribe<{ notes: NoteEvent }>(
      { query },
      {
        next: (result) => (result.data ? this.events.push(result.data.notes) : this.errors.push(result.errors)),
        error: (error) => this.errors.push(error),
        complete: () => undefined,
      },
    );
  }

  async until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 400 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(check(), `${what}: ${JSON.stringify({ events: this.events, errors: this.errors })}`);
  }

  async close(): Promise<void> {
    this.#stop?.();
    await this.client.dispose();
  }
}

/** The change-log head once the broker has handed out everything up to it: a `since` that misses nothing later. */
async function head(t: GraphqlTestApp): Promise<string> {
  const row = await t.store.first<{ n: unknown }>(sql`SELECT MAX("seq") AS "n" FROM "_changes"`);
  const seq = Number(row?.n ?? 0);
  for (let i = 0; i < 400 && t.realtime.seq < seq; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return String(seq);
}

describe('GraphQL subscriptions', () => {
  let t: GraphqlTestApp;
  let url: string;
  let ann: FixtureUser;
  let ben: FixtureUser;
  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    ({ ann, ben } = await setUpOwnerNotes(t));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/graphql`;
  });
  after(async () => t.cleanup());

  it('sends each subscriber only the records its rules let it see, deletes included', async () => {
    const annSub = new Subscriber(url, ann.token);
    const benSub = new Subscriber(url, ben.token);
    // From the current position: what is written next arrives however late the subscription registers.
    const since = `(since: "${await head(t)}")`;
    annSub.subscribe(since);
    benSub.subscribe(since);
    try {
      const annNote = await t.seed('notes', { owner: ann.id, secret: 'for ann' });
      const benNote = await t.seed('notes', { owner: ben.id, secret: 'for ben' });
      await t.records.delete('notes', annNote.id as string, internalRequest(superuser()));
      await annSub.until(() => annSub.events.length >= 2, 'ann sees her create and delete');
      await benSub.until(() => benSub.events.length >= 1, 'ben sees his create');
      assert.deepEqual(
        annSub.events.map((e) => [e.action, e.record.id]),
        [
          ['create', annNote.id],
          ['delete', annNote.id],
        ],
      );
      assert.deepEqual(
        benSub.events.map((e) => [e.action, e.record.id]),
        [['create', benNote.id]],
      );
      assert.equal(annSub.events[0]!.record.secret, 'for ann');
    } finally {
      await annSub.close();
      await benSub.close();
    }
  });

  it('resumes after a disconnect from `since` with no gap and no duplicate', async () => {
    const first = new Subscriber(url, ann.token);
    first.subscribe(`(since: "${await head(t)}")`);
    await t.seed('notes', { owner: ann.id, secret: 'one' });
    await first.until(() => first.events.length === 1, 'the first event');
    const since = first.events[0]!.seq;
    await first.close();
    const missed = [
      await t.seed('notes', { owner: ann.id, secret: 'two' }),
      await t.seed('notes', { owner: ben.id, secret: 'not for ann' }),
      await t.seed('notes', { owner: ann.id, secret: 'three' }),
    ];
    const second = new Subscriber(url, ann.token);
    second.subscribe(`(since: "${since}")`);
    try {
      await second.until(() => second.events.length >= 2, 'the missed events');
      const live = await t.seed('notes', { owner: ann.id, secret: 'four' });
      await second.until(() => second.events.length >= 3, 'the live event after the replay');
      assert.deepEqual(
        second.events.map((e) => e.record.id),
        [missed[0]!.id, missed[2]!.id, live.id],
      );
      const seqs = second.events.map((e) => Number(e.seq));
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.ok(seqs[0]! > Number(since));
    } finally {
      await second.close();
    }
  });

  it('refuses a `since` past every logged change, saying to read again', async () => {
    // A place kept from before a restore, or from another database: later changes would be
    // numbered at or below it, and a client keeping it would take them for seen ones.
    const sub = new Subscriber(url, ann.token);
    sub.subscribe(`(since: "${Number(await head(t)) + 1_000}")`);
    try {
      await sub.until(() => sub.errors.length > 0, 'the refusal');
      assert.match(JSON.stringify(sub.errors), /since is past every change this database logged/);
      assert.deepEqual(sub.events, []);
    } finally {
      await sub.close();
    }
  });

  it('replays a backlog many times its bound as fast as the subscriber reads, and goes on live', async () => {
    // 80 records of 1 MB against 4 MiB unsent and 64 MiB more: replayed at once, they
    // ended the subscription as a slow consumer however fast its client read.
    await t.collections.import([
      { name: 'pages', listRule: '', viewRule: '', fields: [{ name: 'body', type: 'editor' }] },
    ]);
    const since = await head(t);
    const body = `<p>${'b'.repeat(1_000_000)}</p>`;
    const ids: unknown[] = [];
    for (let i = 0; i < 80; i++) ids.push((await t.seed('pages', { body })).id);
    const seen: Array<{ seq: string; record: { id: string } }> = [];
    const failures: unknown[] = [];
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    const stop = client.subscribe<{ pages: { seq: string; record: { id: string } } }>(
      { query: `subscription { pages(since: "${since}") { seq record { id } } }` },
      {
        next: (result) => (result.data ? seen.push(result.data.pages) : failures.push(result.errors)),
        error: (error) => failures.push(error),
        complete: () => undefined,
      },
    );
    const until = async (count: number) => {
      for (let i = 0; i < 1500 && seen.length < count && failures.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    try {
      await until(80);
      const live = await t.seed('pages', { body: '<p>live</p>' });
      await until(81);
      assert.deepEqual(failures, []);
      assert.deepEqual(
        seen.map((event) => event.record.id),
        [...ids, live.id],
      );
    } finally {
      stop();
      await client.dispose();
    }
  });

  it('watches one record by id, and says `leave` when an update takes it out of sight', async () => {
    const note = await t.seed('notes', { owner: ann.id, secret: 'watched' });
    const other = await t.seed('notes', { owner: ann.id, secret: 'not watched' });
    const sub = new Subscriber(url, ann.token);
    sub.subscribe(`(id: "${note.id}", since: "${await head(t)}")`);
    try {
      await t.records.update('notes', other.id as string, { secret: 'changed' }, {}, internalRequest(superuser()));
      await t.records.update('notes', note.id as string, { secret: 'seen' }, {}, internalRequest(superuser()));
      await t.records.update('notes', note.id as string, { owner: ben.id }, {}, internalRequest(superuser()));
      await sub.until(() => sub.events.length >= 2, 'the update and the leave');
      assert.deepEqual(
        sub.events.map((e) => [e.action, e.record.id, e.record.secret ?? null]),
        [
          ['update', note.id, 'seen'],
          ['leave', note.id, null],
        ],
      );
    } finally {
      await sub.close();
    }
  });

  it('refuses a token that does not verify in connection_init', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        connectionParams: { authorization: 'Bearer not-a-token' },
        onNonLazyError: () => undefined,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      void client;
    });
    assert.equal(closed, 4403);
  });

  it('refuses an invalid filter with the catalog code', async () => {
    const sub = new Subscriber(url, ann.token);
    sub.subscribe('(filter: "(((")');
    try {
      await sub.until(() => sub.errors.length > 0, 'an error');
      assert.match(JSON.stringify(sub.errors), /FILTER_INVALID/);
    } finally {
      await sub.close();
    }
  });

  it('ends a subscription the server drops, telling the subscriber to resume', async () => {
    const sub = new Subscriber(url, ann.token);
    sub.subscribe(`(since: "${await head(t)}")`);
    try {
      await t.seed('notes', { owner: ann.id, secret: 'before the drop' });
      await sub.until(() => sub.events.length === 1, 'the event before the drop');
      t.realtime.dropAll();
      await sub.until(() => sub.errors.length > 0, 'an error');
      assert.match(JSON.stringify(sub.errors), /subscribe again with since/);
    } finally {
      await sub.close();
    }
  });

  // Last: it empties the change log.
  it('ends a subscription whose `since` is older than the change log keeps, with no event', async () => {
    await t.seed('notes', { owner: ann.id, secret: 'before the trim' });
    await trimChanges(t.store, { maxAgeMs: 0, maxCount: 1 }, Date.now() + 1000);
    const sub = new Subscriber(url, ann.token);
    sub.subscribe('(since: "1")');
    try {
      await sub.until(() => sub.errors.length > 0, 'an error');
      assert.match(JSON.stringify(sub.errors), /older than the change log keeps/);
      assert.deepEqual(sub.events, []);
    } finally {
      await sub.close();
    }
  });
});
