import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import type { FastifyInstance } from 'fastify';
import { guestViewLaneOf, createApp, defaultServerOptions } from '../app.js';
import { silentLogger } from '../http/log.js';
import { createPrincipalResolver } from '../auth/principal-resolver.js';
import { defaultAuthRateLimits } from '@tandem/core';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';

const PASSWORD = 'correct horse battery staple';
const OPS = Number(process.env.CACHE_OPS ?? 10_000);
const WHO = ['guest', 'u1', 'u2', 'super'] as const;
type Who = (typeof WHO)[number];

/**
 * The response cache against the same app without it: every read, by every principal,
 * right after any acknowledged write (REST, batch, a socket request, a superuser schema
 * change, an auth record update), must answer byte for byte what the store says now.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`response cache on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let uncached: FastifyInstance;
    let socket: TestSocket;
    let base = '';
    const users: Record<string, string> = {};
    const auth: Record<Who, Record<string, string>> = { guest: {}, u1: {}, u2: {}, super: {} };

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = url;
      const { collections, records, settings, auth: authService } = t;
      uncached = createApp(
        {
          actions: t.actions,
          collections,
          records,
          settings,
          auth: authService,
          logger: silentLogger,
          resolvePrincipal: createPrincipalResolver(authService),
        },
        { ...defaultServerOptions, logRequests: false },
      );
      await uncached.ready();
      await t.settings.update({ batch: { enabled: true } });
      for (const name of ['u1', 'u2']) {
        users[name] = (
          await call(t, 'POST', '/api/collections/users/records', {
            email: `${name}@example.com`,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
            name,
          })
        ).body.id;
        auth[name as Who] = {
          authorization: (
            await call(t, 'POST', '/api/collections/users/auth-with-password', {
              identity: `${name}@example.com`,
              password: PASSWORD,
            })
          ).body.token,
        };
      }
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      auth.super = {
        authorization: (
          await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
            identity: 'root@example.com',
            password: 'root passphrase 123',
          })
        ).body.token,
      };
      await t.collections.import([
        {
          name: 'teams',
          listRule: '',
          viewRule: '',
          createRule: '',
          updateRule: '',
          deleteRule: '',
          fields: [{ name: 'label', type: 'text' }],
        },
        {
          name: 'docs',
          listRule: 'owner = @request.auth.id || level > 5',
          viewRule: 'owner = @request.auth.id || level > 5',
          createRule: '@request.auth.id != ""',
          updateRule: 'owner = @request.auth.id',
          deleteRule: 'owner = @request.auth.id',
          fields: [
            { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
            { name: 'team', type: 'relation', collectionId: 'teams', maxSelect: 1 },
            { name: 'level', type: 'number' },
          ],
        },
        {
          name: 'notes',
          listRule: '',
          viewRule: '',
          createRule: '',
          updateRule: '',
          deleteRule: '',
          fields: [
            { name: 'text', type: 'text' },
            { name: 'doc', type: 'relation', collectionId: 'docs', maxSelect: 1 },
          ],
        },
      ]);
      socket = await openTestSocket(url, auth.u1);
    });
    after(async () => {
      socket?.ws.terminate();
      await uncached?.close();
      await t?.cleanup();
    });

    it(`never answers stale or foreign data over ${OPS.toLocaleString('en')} random reads and writes`, async () => {
      const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
      console.log(`response cache (${dialect}): seed=${seed} ops=${OPS} (rerun with SEED=${seed})`);
      const random = mulberry32(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const ids: Record<'teams' | 'docs' | 'notes', string[]> = { teams: [], docs: [], notes: [] };
      const stats = { reads: 0, hits: 0, writes: 0 };
      for (let i = 0; i < 3; i++) ids.teams.push((await t.seed('teams', { label: `t${i}` })).id as string);

      const readUrl = (): string => {
        const kind = random();
        if (kind < 0.3)
          return pick([
            '/api/collections/docs/records',
            '/api/collections/docs/records?filter=level>3&sort=-level,id',
            '/api/collections/docs/records?expand=team,owner&sort=id',
            '/api/collections/docs/records?fields=id,level&sort=level,id&perPage=3',
            '/api/collections/docs/records?filter=team.label="t1"&sort=id',
          ]);
        if (kind < 0.5)
          return `/api/collections/docs/records/${pick([...ids.docs.slice(-6), 'missing00000000'])}${random() < 0.3 ? '?expand=team' : ''}`;
        if (kind < 0.65)
          return pick([
            '/api/collections/teams/records?sort=id',
            '/api/collections/teams/records?expand=docs_via_team&sort=id',
            `/api/collections/teams/records/${pick(ids.teams)}`,
          ]);
        if (kind < 0.85)
          return pick([
            '/api/collections/notes/records?sort=id&expand=doc',
            '/api/collections/notes/records?sort=-id&perPage=2',
          ]);
        return `/api/collections/users/records/${pick([users.u1!, users.u2!])}`;
      };

      const write = async (): Promise<void> => {
        stats.writes++;
        const roll = random();
        const who = pick(['u1', 'u2'] as const);
        const mine = ids.docs;
        if (roll < 0.25 || mine.length < 4) {
          const answer = await call(
            t,
            'POST',
            '/api/collections/docs/records',
            { owner: users[who], team: pick(ids.teams), level: Math.floor(random() * 10) },
            auth[who],
          );
          assert.equal(answer.status, 200, answer.raw);
          mine.push(answer.body.id);
        } else if (roll < 0.45) {
          await call(
            t,
            'PATCH',
            `/api/collections/docs/records/${pick(mine)}`,
            { level: Math.floor(random() * 10), team: pick(ids.teams) },
            auth.super,
          );
        } else if (roll < 0.5) {
          const id = mine.splice(Math.floor(random() * mine.length), 1)[0]!;
          await call(t, 'DELETE', `/api/collections/docs/records/${id}`, undefined, auth.super);
        } else if (roll < 0.62) {
          const requests = [
            {
              method: 'POST',
              url: '/api/collections/notes/records',
              body: { text: `n${stats.writes}`, doc: pick(mine) },
            },
            {
              method: 'PATCH',
              url: `/api/collections/teams/records/${pick(ids.teams)}`,
              body: { label: pick(['t0', 't1', 't2', 'tx']) },
            },
          ];
          const answer = await call(t, 'POST', '/api/batch', { requests }, auth.super);
          assert.equal(answer.status, 200, answer.raw);
          ids.notes.push(answer.body[0].body.id);
        } else if (roll < 0.74) {
          const id = `w${stats.writes}`;
          const from = socket.messages.length;
          socket.send({
            type: 'request',
            id,
            action: 'create',
            collection: 'docs',
            body: { owner: users.u1, team: pick(ids.teams), level: Math.floor(random() * 10) },
          });
          const answer = await socket.waitFor(
            (m) => (m.type === 'response' || m.type === 'error') && m.id === id,
            5000,
            from,
          );
          assert.equal(answer.type, 'response', JSON.stringify(answer));
          mine.push((answer as { body: { id: string } }).body.id);
        } else if (roll < 0.86) {
          await call(
            t,
            'PATCH',
            `/api/collections/users/records/${users[who]}`,
            { name: `${who}-${stats.writes}` },
            auth[who],
          );
        } else if (roll < 0.88) {
          const rule = pick(['owner = @request.auth.id || level > 5', 'owner = @request.auth.id || level > 2', '']);
          const answer = await call(
            t,
            'PATCH',
            '/api/collections/docs',
            { listRule: rule, viewRule: rule },
            auth.super,
          );
          assert.equal(answer.status, 200, answer.raw);
        } else if (ids.notes.length > 0) {
          await call(t, 'PATCH', `/api/collections/notes/records/${pick(ids.notes)}`, { doc: pick(mine) }, auth.super);
        }
      };

      for (let op = 0; op < OPS; op++) {
        if (random() < 0.1) {
          await write();
          continue;
        }
        const url = readUrl();
        const who = pick(WHO);
        // Guests read over the socket, where the guest view lane answers in front of Fastify.
        const cached =
          who === 'guest'
            ? await overSocket(base, url)
            : await t.app.inject({ method: 'GET', url, headers: auth[who] });
        const truth = await uncached.inject({ method: 'GET', url, headers: auth[who] });
        stats.reads++;
        if (String(cached.headers['server-timing']).startsWith('cache;desc=hit')) stats.hits++;
        assert.equal(cached.statusCode, truth.statusCode, `${who} GET ${url} (op ${op}, seed ${seed})`);
        assert.equal(cached.body, truth.body, `stale or foreign answer for ${who} GET ${url} (op ${op}, seed ${seed})`);
      }
      console.log(
        `response cache (${dialect}): ${stats.reads} reads (${stats.hits} hits), ${stats.writes} writes, 0 stale`,
      );
      assert.ok(stats.hits > stats.reads / 10, `the cache served hits (${stats.hits} of ${stats.reads})`);
      const lane = guestViewLaneOf(t.app)?.answered;
      assert.ok(
        lane && lane.hits > 0 && lane.reads > 0,
        `the guest view lane answered guests' reads: ${JSON.stringify(lane)}`,
      );
    });
  });
}

/** A GET over a real socket, as `inject` answers it: status, headers and body text. */
async function overSocket(base: string, url: string) {
  const response = await fetch(`${base}${url}`);
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/** A small seeded PRNG, so a failing run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
