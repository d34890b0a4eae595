import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalRequest, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import type { ServerMessage } from '@tandem/protocol';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { openSse, sdkSubscription, type SseTestStream } from '../testing/sse-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const PASSWORD = 'correct horse battery staple';
const OPS = 1000;
const TEAMS = ['a', 'b', 'c'];

interface Doc {
  id: string;
  owner: string;
  team: string;
  level: number;
}
interface Watcher {
  readonly name: string;
  /** The transport: Tandem's WebSocket protocol, or PocketBase's SSE (no leave notices there). */
  readonly via: 'ws' | 'sse';
  readonly who: 'u1' | 'u2' | 'u3' | 'guest' | 'super';
  readonly filter?: string;
  readonly fields?: string;
  /** What the rule and filter say this subscriber may see. */
  readonly sees: (doc: Doc) => boolean;
}

/**
 * Several subscribers with different principals, rules and filters, over the WebSocket
 * and over SSE, watch one collection while 1,000 random creates, updates and deletes run. Each must receive exactly what an
 * oracle, computing the rule and filter in plain code, says it may see: no leaks, no
 * misses, in seq order. The seed is printed; rerun with SEED=<n>.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`realtime against an oracle on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    const users: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    const sockets: TestSocket[] = [];
    const streams: SseTestStream[] = [];

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      for (const name of ['u1', 'u2', 'u3']) {
        users[name] = (
          await call(t, 'POST', '/api/collections/users/records', {
            email: `${name}@example.com`,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        tokens[name] = (
          await call(t, 'POST', '/api/collections/users/auth-with-password', {
            identity: `${name}@example.com`,
            password: PASSWORD,
          })
        ).body.token;
      }
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      tokens.super = (
        await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
          identity: 'root@example.com',
          password: 'root passphrase 123',
        })
      ).body.token;
      await t.collections.import([
        {
          name: 'docs',
          listRule: 'owner = @request.auth.id || team = "a"',
          viewRule: 'owner = @request.auth.id || team = "a"',
          createRule: null,
          updateRule: null,
          deleteRule: null,
          fields: [
            { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, required: true },
            { name: 'team', type: 'select', values: TEAMS, maxSelect: 1 },
            { name: 'level', type: 'number' },
          ],
        },
      ]);
    });
    after(async () => {
      for (const socket of sockets) socket.ws.terminate();
      for (const stream of streams) stream.close();
      await t.cleanup();
    });

    it(`delivers exactly what the rules allow over ${OPS} random writes`, async () => {
      const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
      console.log(`realtime oracle (${dialect}): seed=${seed} ops=${OPS} (rerun with SEED=${seed})`);
      const random = mulberry32(seed);
      const ruleFor = (who: string) => (doc: Doc) => who === 'super' || doc.owner === users[who] || doc.team === 'a';
      const watchers: Watcher[] = [
        { name: 'u1 all (ws)', via: 'ws', who: 'u1', sees: ruleFor('u1') },
        {
          name: 'u2 level > 5 (ws)',
          via: 'ws',
          who: 'u2',
          filter: 'level > 5',
          sees: (d) => ruleFor('u2')(d) && d.level > 5,
        },
        { name: 'guest (ws)', via: 'ws', who: 'guest', sees: (d) => d.team === 'a' },
        { name: 'super team b (ws)', via: 'ws', who: 'super', filter: 'team = "b"', sees: (d) => d.team === 'b' },
        { name: 'u3 fields (ws)', via: 'ws', who: 'u3', fields: 'id,level', sees: ruleFor('u3') },
        { name: 'u2 all (sse)', via: 'sse', who: 'u2', sees: ruleFor('u2') },
        {
          name: 'guest level < 3 (sse)',
          via: 'sse',
          who: 'guest',
          filter: 'level < 3',
          sees: (d) => d.team === 'a' && d.level < 3,
        },
      ];
      const opened = await Promise.all(
        watchers.map((watcher) => (watcher.via === 'ws' ? watchOverSocket(watcher) : watchOverSse(watcher))),
      );

      const expected: string[][] = watchers.map(() => []);
      const docs = new Map<string, Doc>();
      const owners = Object.values(users);
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
      const su = internalRequest(superuser());
      for (let i = 0; i < OPS; i++) {
        const roll = random();
        const existing = [...docs.values()];
        if (roll < 0.45 || existing.length < 3) {
          const doc = { owner: pick(owners), team: pick(TEAMS), level: Math.floor(random() * 10) };
          const created = await t.records.create('docs', doc, {}, su);
          const stored = { id: created.id, ...doc };
          docs.set(created.id, stored);
          watchers.forEach((w, k) => w.sees(stored) && expected[k]!.push(`create ${created.id}`));
        } else if (roll < 0.8) {
          const before = pick(existing);
          const change =
            random() < 0.5
              ? { team: pick(TEAMS) }
              : random() < 0.5
                ? { level: Math.floor(random() * 10) }
                : { owner: pick(owners) };
          await t.records.update('docs', before.id, change, {}, su);
          const afterDoc = { ...before, ...change };
          docs.set(before.id, afterDoc);
          watchers.forEach((w, k) => {
            if (w.sees(afterDoc)) expected[k]!.push(`update ${before.id}`);
            else if (w.sees(before)) expected[k]!.push(`leave ${before.id}`);
          });
        } else {
          const doomed = pick(existing);
          await t.records.delete('docs', doomed.id, su);
          docs.delete(doomed.id);
          watchers.forEach((w, k) => w.sees(doomed) && expected[k]!.push(`delete ${doomed.id}`));
        }
      }

      await t.feed.poke();
      for (const [k, received] of opened.entries()) {
        // SSE is PocketBase's protocol: it has no leave notices, so they are not expected there.
        const want =
          watchers[k]!.via === 'sse' ? expected[k]!.filter((line) => !line.startsWith('leave')) : expected[k]!;
        for (let wait = 0; wait < 200 && received().length < want.length; wait++)
          await new Promise((resolve) => setTimeout(resolve, 25));
        await new Promise((resolve) => setTimeout(resolve, 50));
        const got = received().map((m) => m.line);
        assert.deepEqual(
          got,
          want,
          `${watchers[k]!.name}: ${got.length} received, ${want.length} expected (seed ${seed})`,
        );
        const seqs = received()
          .map((m) => m.seq)
          .filter((seq) => seq !== undefined);
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a! - b!),
          `${watchers[k]!.name} in seq order`,
        );
        if (watchers[k]!.fields)
          for (const m of received()) if (m.record) assert.deepEqual(Object.keys(m.record).sort(), ['id', 'level']);
      }
    });

    /** Subscribes over the WebSocket; returns what has arrived so far, as comparable lines. */
    async function watchOverSocket(watcher: Watcher): Promise<() => Received[]> {
      const socket = await openTestSocket(url, watcher.who === 'guest' ? {} : { authorization: tokens[watcher.who]! });
      sockets.push(socket);
      socket.send({
        type: 'subscribe',
        id: 'docs',
        topic: 'docs/*',
        options: { filter: watcher.filter, fields: watcher.fields },
      });
      await socket.waitFor((m) => m.type === 'subscribed');
      return () =>
        socket.messages
          .filter((m) => m.type === 'event' || m.type === 'leave')
          .map((m) => ({
            line: describeMessage(m),
            seq: (m as { seq: number }).seq,
            record: m.type === 'event' ? m.record : undefined,
          }));
    }

    /** Subscribes over PocketBase's SSE, binding the watcher's token at POST time as the SDK does. */
    async function watchOverSse(watcher: Watcher): Promise<() => Received[]> {
      const stream = await openSse(url);
      streams.push(stream);
      const topic = sdkSubscription('docs/*', watcher.filter ? { filter: watcher.filter } : undefined);
      const headers: Record<string, string> = watcher.who === 'guest' ? {} : { authorization: tokens[watcher.who]! };
      const bound = await call(
        t,
        'POST',
        '/api/realtime',
        { clientId: stream.clientId, subscriptions: [topic] },
        headers,
      );
      assert.equal(bound.status, 204, bound.raw);
      return () =>
        stream.frames
          .filter((frame) => frame.event === topic)
          .map((frame) => {
            const data = JSON.parse(frame.data!) as { action: string; record: { id: string } };
            return { line: `${data.action} ${data.record.id}`, seq: undefined, record: undefined };
          });
    }
  });
}

/** One change as a subscriber saw it: a comparable line, its seq (WebSocket only) and its record. */
interface Received {
  readonly line: string;
  readonly seq: number | undefined;
  readonly record: Record<string, unknown> | undefined;
}

function describeMessage(message: ServerMessage): string {
  if (message.type === 'leave') return `leave ${message.id}`;
  if (message.type === 'event') return `${message.action} ${message.record.id}`;
  return message.type;
}

/** A small seeded PRNG, so a failing run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
