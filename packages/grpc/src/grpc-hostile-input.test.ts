/**
 * Bad input gets a clear status and leaves the listener healthy: wrong types and
 * hostile values in a Struct, unknown collections, oversized messages, bad tokens,
 * bad resume positions, cancelled and slow Watch streams, and a deadline that passes
 * while a write waits (the write is then not made).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcCode } from '@grpc/grpc-js';
import { trimChanges } from '@tandem/core';
import {
  auth,
  connectByReflection,
  openWatch,
  plain,
  richStatus,
  seedScenario,
  startGrpcTestServer,
  statusSeen,
  struct,
  unary,
  type GrpcTestServer,
  type ReflectedClient,
  type ScenarioPrincipals,
  type StatusSeen,
} from './testing/index.fixture.js';

const MAX_RECEIVE = 64 * 1024;
const WATCH_BUFFER = 64 * 1024;

describe('hostile gRPC input, on sqlite', () => {
  let s: GrpcTestServer;
  let client: ReflectedClient;
  let records: Record<string, any>;
  let who: ScenarioPrincipals;

  before(async () => {
    s = await startGrpcTestServer('sqlite', {
      grpc: { maxReceiveBytes: MAX_RECEIVE, watchMaxBufferedBytes: WATCH_BUFFER },
    });
    client = await connectByReflection(s.address);
    records = client.clients['tandem.v1.Records']!;
    who = await seedScenario(s, client.clients['tandem.v1.Auth']!);
  });
  after(async () => {
    // Whatever happened above, the listener still serves, and logged no fault.
    const health = await unary(client.clients['grpc.health.v1.Health']!, 'Check', { service: 'tandem.v1.Records' });
    assert.deepEqual(health, { ok: true, value: { status: 'SERVING' } });
    const list = await unary(records, 'List', { collection: 'notes', per_page: 1 });
    assert.ok(list.ok);
    assert.deepEqual(s.faults, []);
    client.close();
    await s.close();
  });

  const create = (data: unknown, token?: string) =>
    unary(records, 'Create', { collection: 'notes', data }, auth(token));

  it('refuses wrong types in a Struct with INVALID_ARGUMENT naming each field', async () => {
    const outcome = await create(struct({ title: 'ok', stars: 'many', done: { no: 1 } }));
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, GrpcCode.INVALID_ARGUMENT);
    assert.equal(outcome.error.tandemCode, 'RECORD_CREATE_FAILED');
    const rich = richStatus(outcome.error);
    assert.equal(rich.code, GrpcCode.INVALID_ARGUMENT);
    assert.deepEqual(rich.details[0], {
      type: 'google.rpc.ErrorInfo',
      reason: 'RECORD_CREATE_FAILED',
      domain: 'tandem',
    });
    const violations = rich.details.find((d) => d.type === 'google.rpc.BadRequest').field_violations;
    assert.deepEqual(violations.map((v: any) => v.field).sort(), ['done', 'stars']);
    assert.ok(violations.every((v: any) => v.reason.startsWith('validation_') && v.description !== ''));
  });

  it('refuses a NUL in text and a prototype key in a Struct', async () => {
    const cases: Array<[unknown, string]> = [
      [struct({ title: 'nul\u0000' }), 'JSON_TEXT_INVALID'],
      [struct(JSON.parse('{"title": "proto", "__proto__": {"polluted": true}}')), 'BODY_INVALID'],
    ];
    for (const [data, code] of cases) {
      const outcome = await create(data);
      assert.equal(!outcome.ok && outcome.error.tandemCode, code);
      assert.equal(!outcome.ok && outcome.error.code, GrpcCode.INVALID_ARGUMENT);
    }
    assert.equal(({} as any).polluted, undefined);
  });

  it('answers INVALID_ARGUMENT, not INTERNAL, to bytes protobuf cannot decode', async () => {
    // Sent raw: protobuf.js clients refuse to encode this deep, but other clients need not.
    const cases: Array<[Buffer, string]> = [
      [Buffer.concat([field(1, Buffer.from('notes')), field(2, nestedStruct(60))]), 'JSON_TOO_DEEP'],
      [Buffer.from([0x7f]), 'BAD_REQUEST'], // field 15 with wire type 7, which does not exist
    ];
    for (const [bytes, code] of cases) {
      const seen = await raw(records, '/tandem.v1.Records/Create', bytes);
      assert.deepEqual([seen.code, seen.tandemCode], [GrpcCode.INVALID_ARGUMENT, code]);
    }
  });

  it('answers NOT_FOUND for an unknown collection, on every method', async () => {
    for (const method of ['List', 'Get', 'Create', 'Update', 'Delete']) {
      const outcome = await unary(records, method, { collection: 'nope', id: 'x', data: struct({}) });
      assert.equal(!outcome.ok && outcome.error.code, GrpcCode.NOT_FOUND, method);
    }
    const watch = openWatch(records, { collection: 'nope' }, auth(undefined));
    assert.equal((await watch.ended).code, GrpcCode.NOT_FOUND);
  });

  it('refuses a message above the size limit with RESOURCE_EXHAUSTED', async () => {
    const outcome = await create(struct({ title: 'big', meta: { blob: 'x'.repeat(MAX_RECEIVE) } }));
    assert.equal(!outcome.ok && outcome.error.code, GrpcCode.RESOURCE_EXHAUSTED);
  });

  it('answers UNAUTHENTICATED to a token that does not verify, with or without Bearer', async () => {
    const forged = `${who.tokens.user.slice(0, -4)}AAAA`;
    for (const token of ['garbage', forged, `Bearer ${forged}`, '']) {
      const outcome = await unary(records, 'List', { collection: 'notes' }, auth(token));
      assert.equal(!outcome.ok && outcome.error.code, GrpcCode.UNAUTHENTICATED, JSON.stringify(token));
    }
    const watch = openWatch(records, { collection: 'notes' }, auth('garbage'));
    assert.equal((await watch.ended).code, GrpcCode.UNAUTHENTICATED);
  });

  it('refuses a resume position that is not a seq', async () => {
    for (const since of ['abc', '-1', '1e3', '99999999999999999999']) {
      const watch = openWatch(records, { collection: 'notes', since }, auth(undefined));
      const ended = await watch.ended;
      assert.equal(ended.code, GrpcCode.INVALID_ARGUMENT, since);
      assert.deepEqual(Object.keys(ended.body?.data ?? {}), ['since']);
    }
  });

  it('forgets a cancelled Watch', async () => {
    const before = s.t.realtime.size;
    const watches = Array.from({ length: 5 }, () => openWatch(records, { collection: 'notes' }, auth(undefined)));
    await Promise.all(watches.map((w) => w.head));
    assert.equal(s.t.realtime.size, before + 5);
    for (const watch of watches) watch.cancel();
    await Promise.all(watches.map((w) => w.ended));
    await waitFor(() => s.t.realtime.size === before);
  });

  /** Writes `count` notes holding `blob` while no Watch is open, then resumes a Watch from before them; the changes it replayed. */
  async function replayOf(count: number, blob: string) {
    const probe = openWatch(records, { collection: 'notes' }, auth(undefined));
    const since = await probe.head;
    probe.cancel();
    const ids: unknown[] = [];
    for (let i = 0; i < count; i++) ids.push((await s.t.seed('notes', { title: `replayed ${i}`, meta: { blob } })).id);
    const watch = openWatch(records, { collection: 'notes', since }, auth(undefined));
    try {
      await watch.change(count - 1);
      assert.deepEqual(
        watch.changes.map((change) => change.record.id),
        ids,
      );
      return watch.changes;
    } finally {
      watch.cancel();
    }
  }

  it('resumes a Watch past changes larger than the bound, replayed back to back', async () => {
    // The replay writes each change as soon as the one before: a reader taking in a change
    // of many times the bound is not behind, and is not cut off (it could never resume past it).
    const blob = 'z'.repeat(8 * WATCH_BUFFER);
    const changes = await replayOf(3, blob);
    assert.equal((plain(changes[2].record.data).meta as { blob: string }).blob.length, blob.length);
  });

  it('paces a Watch resume past a backlog many times the bound by how fast the client reads', async () => {
    // 5 MB of changes against a 64 KiB bound and 1 MiB of backlog: written at once, they
    // would cut the stream off however fast the client reads. The replay waits for room.
    assert.equal((await replayOf(40, 'p'.repeat(2 * WATCH_BUFFER))).length, 40);
  });

  it('cuts off a Watch whose reader does not keep up, and forgets it', async () => {
    const before = s.t.realtime.size;
    const stream = records.Watch({ collection: 'notes' }, auth(undefined));
    const ended = new Promise<any>((resolve) => stream.on('error', resolve));
    await new Promise((resolve) => stream.once('metadata', resolve));
    stream.pause();
    // Far more than the bound and the 16 times it a reader may fall further behind, in one
    // burst: the writes share one commit, so their changes reach the stream in one turn of
    // the event loop, before HTTP/2 has taken any of them.
    const blob = 'y'.repeat(16 * 1024);
    await Promise.all(Array.from({ length: 120 }, (_, i) => s.t.seed('notes', { title: `bulk ${i}`, meta: { blob } })));
    await waitFor(() => s.t.realtime.size === before);
    stream.resume();
    assert.equal((await ended).code, GrpcCode.RESOURCE_EXHAUSTED);
  });

  it('stops a write whose deadline passed while it waited for the database', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // SQLite has one writer: a transaction that waits on the gate holds every write behind it.
    const blocker = s.t.store.transaction(async () => (holding(), await gate));
    await held;
    // The client and the server run their deadline timers apart: wait for the server's.
    const dispatch = s.t.actions.dispatch.bind(s.t.actions);
    let serverGaveUp!: Promise<unknown>;
    s.t.actions.dispatch = (name, input, request) => {
      serverGaveUp = new Promise((resolve) => request.signal?.addEventListener('abort', resolve));
      return dispatch(name, input, request);
    };
    const outcome = await unary(
      records,
      'Create',
      { collection: 'notes', data: struct({ title: 'too late' }) },
      auth(undefined),
      { deadline: Date.now() + 300 },
    );
    assert.equal(!outcome.ok && outcome.error.code, GrpcCode.DEADLINE_EXCEEDED);
    await serverGaveUp;
    s.t.actions.dispatch = dispatch;
    release();
    await blocker;
    // A write queued after the abandoned one runs after it: by then that one has given up.
    await s.t.seed('notes', { title: 'after' });
    const found = await unary(records, 'List', { collection: 'notes', filter: 'title = "too late"' });
    assert.equal(found.ok && found.value.total_items, 0);
  });

  it('answers a Watch whose since is past every logged change with a reset, then sends the next changes', async () => {
    // A client that watched a server since restored from a backup (or moved to a new database).
    const probe = openWatch(records, { collection: 'notes' }, auth(undefined));
    const head = Number(await probe.head);
    probe.cancel();
    const watch = openWatch(records, { collection: 'notes', since: String(head + 1_000) }, auth(undefined));
    try {
      const reset = await within(watch.change(0), 'the reset');
      assert.deepEqual([(reset as any).action, (reset as any).seq], ['reset', String(head)]);
      // Numbered below since: the stream sends it all the same.
      const next = await s.t.seed('notes', { title: 'after the reset' });
      const change = await within(watch.change(1), 'the change after the reset');
      assert.equal(change.record.id, next.id);
      assert.ok(Number(change.seq) <= head + 1_000);
    } finally {
      watch.cancel();
    }
  });

  // Last: it empties the change log.
  it('answers a Watch whose since is older than the change log with a reset first, then goes on live', async () => {
    await s.t.seed('notes', { title: 'before the trim' });
    await trimChanges(s.t.store, { maxAgeMs: 0, maxCount: 1 }, Date.now() + 1000);
    const watch = openWatch(records, { collection: 'notes', since: '1' }, auth(undefined));
    try {
      const head = await watch.head;
      const reset = await within(watch.change(0), 'the reset');
      assert.deepEqual([(reset as any).action, (reset as any).seq], ['reset', head]);
      const live = await s.t.seed('notes', { title: 'after the reset' });
      assert.equal((await watch.change(1)).record.id, live.id);
      assert.equal(watch.changes.length, 2, 'nothing before the reset or between');
    } finally {
      watch.cancel();
    }
  });
});

/** `promise`, or a failure naming `what` after 5 s. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not come within 5 s`)), 5000);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One length-delimited protobuf field. */
function field(number: number, bytes: Buffer): Buffer {
  const length: number[] = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...length]), bytes]);
}

/** A Struct `{"d": {"d": …}}` nested `levels` deep: each level is a map entry (1) whose Value holds a Struct (5). */
function nestedStruct(levels: number): Buffer {
  let struct: Buffer = Buffer.alloc(0);
  for (let i = 0; i < levels; i++)
    struct = field(1, Buffer.concat([field(1, Buffer.from('d')), field(2, field(5, struct))]));
  return struct;
}

/** A unary call with a request of raw bytes; settles with its status. */
function raw(client: Record<string, any>, path: string, bytes: Buffer): Promise<StatusSeen> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      path,
      (value: Buffer) => value,
      (value: Buffer) => value,
      bytes,
      (error: any) => resolve(statusSeen(error ?? { code: 0, details: '', metadata: undefined })),
    ),
  );
}

/** Polls a condition the server reaches on its own (a disconnect), bounded in tries. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'the condition was not reached');
}
