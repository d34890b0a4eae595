import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CollectionGenerations } from '../cache/collection-generations.js';
import {
  deleteRedisKeys,
  openTestRedis,
  redisSkipReason,
  testRedisPrefix,
  type TestRedis,
} from '../testing/test-redis.fixture.js';
import { SharedGenerations } from './shared-generations.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two instances' views of one cluster's shared generations, each over its own connections. */
async function twoInstances(prefix: string, bumpRetryMs?: number) {
  const reader = await openTestRedis(prefix);
  const writer = await openTestRedis(prefix);
  opened.push(reader, writer);
  const readerGenerations = new CollectionGenerations();
  return {
    writer,
    readerGenerations,
    readerShared: new SharedGenerations(reader, readerGenerations),
    writerShared: new SharedGenerations(writer, new CollectionGenerations(), { bumpRetryMs }),
  };
}

const opened: TestRedis[] = [];
const prefixes: string[] = [];

describe('shared cache generations', { skip: redisSkipReason }, () => {
  afterEach(() => {
    for (const redis of opened.splice(0)) redis.close();
  });
  after(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  it("moves the other instances' keys for a write whose connection was down when it committed", async () => {
    const prefix = testRedisPrefix();
    prefixes.push(prefix);
    const { writer, readerGenerations, readerShared, writerShared } = await twoInstances(prefix);
    assert.equal(await readerShared.sync(), true);
    const keyBefore = `${readerGenerations.stamp}/${readerGenerations.of('notes')}`;

    // The writer's connection drops (as each instance's does when Redis restarts, coming
    // back on its own schedule) while the reader's stays up.
    writer.commands.disconnect();
    const bumped = writerShared.bump(['notes']);
    await sleep(400);
    await writer.commands.connect();
    await bumped;

    assert.equal(await readerShared.sync(), true);
    assert.notEqual(`${readerGenerations.stamp}/${readerGenerations.of('notes')}`, keyBefore);
  });

  it('gives a write up after its retry time when Redis stays out of reach, and distrusts its cache', async () => {
    const prefix = testRedisPrefix();
    prefixes.push(prefix);
    const { writer, writerShared } = await twoInstances(prefix, 300);
    writer.commands.disconnect();
    // Resolves (the write is acknowledged) rather than waiting for a Redis that never returns.
    await writerShared.bump(['notes']);
    assert.equal(await writerShared.sync(), false, 'no cached answer while Redis cannot be reached');
  });
});
