import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from './testing/test-app.fixture.js';
import { blogCollections, blogRecords } from './testing/blog-fixture.fixture.js';
import { call } from './testing/http-client.fixture.js';
import type { FuzzTargets } from './testing/hostile-fixture.fixture.js';
import { describeRequest, hostileRequests } from './testing/hostile-requests.fixture.js';
import { describeFrame, hostileFrames, type HostileFrame } from './testing/hostile-frames.fixture.js';
import { FuzzSocket } from './testing/fuzz-socket.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

/**
 * Hostile requests and WebSocket messages never earn a 5xx, and the server still answers
 * afterwards. Bounded: each property stops after its run count or its time share,
 * whichever comes first (FUZZ_SECONDS scales the time, FUZZ_RUNS the count; SEED replays).
 */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 24);
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
const dialects = testDialects.filter((d) => !d.skip);
const perProperty = (share: number) => Math.round((SECONDS * 1000 * share) / dialects.length);
console.log(`hostile input: seed=${seed} runs<=${RUNS} seconds<=${SECONDS} (rerun with SEED=${seed})`);

const PASSWORD = 'fuzz passphrase 0123';
/** Auth limits on (their keys see hostile identities) but high enough not to stop the run at the limiter. */
const OPEN_LIMITS = () => ({
  ...defaultAuthRateLimits,
  perIp: Object.fromEntries(Object.keys(defaultAuthRateLimits.perIp).map((k) => [k, { max: 1e9, windowSeconds: 60 }])),
});

for (const { name: dialect, skip } of testDialects) {
  describe(`hostile input on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let origin: string;
    let targets: FuzzTargets;

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, OPEN_LIMITS);
      await t.collections.import(blogCollections());
      for (const [collection, record] of blogRecords()) await t.seed(collection, record);
      targets = await signIn(t);
      origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => t?.cleanup());

    it('answers every hostile request to records, batch, auth and realtime routes below 500', async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(hostileRequests(targets), async (request) => {
          runs++;
          const response = await t.app.inject(request);
          assert.ok(
            response.statusCode < 500,
            `${response.statusCode} for ${describeRequest(request)}: ${response.body.slice(0, 200)}`,
          );
        }),
        { seed, numRuns: RUNS, interruptAfterTimeLimit: perProperty(0.65), markInterruptAsFailure: false },
      );
      console.log(`hostile input on ${dialect}: ${runs} HTTP requests`);
    });

    it('answers every hostile WebSocket message below 500 and never closes with an internal error', async () => {
      const socket = new FuzzSocket(origin);
      let runs = 0;
      try {
        await fc.assert(
          fc.asyncProperty(hostileFrames(targets), async (batch) => {
            runs++;
            const answers = await socket.exchange(batch);
            const failed = answers.find(
              (m) => (typeof m.status === 'number' && m.status >= 500) || (m.type === 'close' && m.code === 1011),
            );
            assert.equal(failed, undefined, `${JSON.stringify(failed)} for ${describeFrames(batch)}`);
          }),
          {
            seed,
            numRuns: Math.ceil(RUNS / 5),
            interruptAfterTimeLimit: perProperty(0.35),
            markInterruptAsFailure: false,
          },
        );
      } finally {
        socket.close();
      }
      console.log(`hostile input on ${dialect}: ${runs} WebSocket batches over ${socket.welcomed} sockets`);
    });

    it('still answers a health check, a record read and a new socket afterwards', async () => {
      assert.equal((await call(t, 'GET', '/api/health')).status, 200);
      assert.equal((await fetch(`${origin}/api/health`)).status, 200);
      assert.equal((await call(t, 'GET', '/api/collections/authors/records?perPage=1')).status, 200);
      const socket = new FuzzSocket(origin);
      try {
        const answers = await socket.exchange([{ data: '{"type":"ping","id":"last"}', binary: false }]);
        assert.equal(socket.welcomed, 1);
        assert.deepEqual(
          answers.map((m) => m.type),
          ['pong'],
        );
      } finally {
        socket.close();
      }
    });
  });
}

/** Creates a user and a superuser and signs both in; their ids and tokens season the input. */
async function signIn(t: TestApp): Promise<FuzzTargets> {
  const userEmail = 'fuzz@example.com';
  const created = await call(t, 'POST', '/api/collections/users/records', {
    email: userEmail,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });
  assert.equal(created.status, 200, created.raw);
  const user = await call(t, 'POST', '/api/collections/users/auth-with-password', {
    identity: userEmail,
    password: PASSWORD,
  });
  await t.auth.upsertSuperuser('root@example.com', PASSWORD);
  const root = await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
    identity: 'root@example.com',
    password: PASSWORD,
  });
  assert.equal(root.status, 200, root.raw);
  return { userId: created.body.id, userEmail, userToken: user.body.token, superuserToken: root.body.token };
}

function describeFrames(frames: readonly HostileFrame[]): string {
  return frames.map(describeFrame).join(' | ');
}
