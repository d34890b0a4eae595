import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { guest, type ActionDispatcher, type RequestContext } from '@tandem/core';
import { MAX_RELATED_JSON, RecordLoaders } from './record-loaders.js';

const PAD = 'x'.repeat(1000);

/** A dispatcher that answers every batched read with a record of about 1 KB per id asked, and counts the ids. */
function countingDispatcher() {
  const read = { ids: 0 };
  const dispatcher = {
    async dispatch(_action: string, input: { body: { ids: string[] } }) {
      read.ids += input.body.ids.length;
      return { status: 200, body: input.body.ids.map((id) => ({ id, collectionId: 'c', pad: PAD })) };
    },
  } as unknown as ActionDispatcher;
  return { dispatcher, read };
}

const request = { principal: guest, method: 'GET', headers: {}, query: {} } as unknown as RequestContext;
const ids = Array.from({ length: 1000 }, (_, i) => `id${String(i).padStart(4, '0')}`);
const pageJson = ids.reduce((sum, id) => sum + JSON.stringify({ id, collectionId: 'c', pad: PAD }).length, 0);

describe('RecordLoaders budget', () => {
  it('fails the field that crosses the budget, each copy counted, then reads and answers nothing', async () => {
    const { dispatcher, read } = countingDispatcher();
    const loaders = new RecordLoaders(dispatcher, request);
    // The same thousand records, asked for by parent after parent: each copy counts.
    const within = Math.floor(MAX_RELATED_JSON / pageJson);
    for (let parent = 0; parent < within; parent++) assert.equal((await loaders.viewable('c', ids)).length, 1000);
    assert.equal(loaders.overBudget, false);
    assert.equal(read.ids, 1000, 'one read: the loader keeps what it read');
    await assert.rejects(loaders.viewable('c', ids), { code: 'GRAPHQL_LIMIT_EXCEEDED' });
    assert.equal(loaders.overBudget, true);
    assert.deepEqual(await loaders.viewable('c', ['new']), []);
    assert.equal(await loaders.one('c', 'another'), null);
    assert.deepEqual(await loaders.referencing('c', 'f', 'id1'), []);
    assert.equal(read.ids, 1000, 'nothing was read past the budget');
  });

  it('gives the fields waiting on the read that crossed the budget nothing, one error in all', async () => {
    const { dispatcher } = countingDispatcher();
    const loaders = new RecordLoaders(dispatcher, request);
    const parents = Math.ceil(MAX_RELATED_JSON / pageJson) + 50;
    const outcomes = await Promise.allSettled(Array.from({ length: parents }, () => loaders.viewable('c', ids)));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'rejected').length, 1);
    const answered = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.length : -1));
    assert.ok(answered.includes(0) && answered.includes(1000));
  });

  it("starts each subscription event with a new budget and nothing of the last event's reads", async () => {
    const { dispatcher, read } = countingDispatcher();
    const loaders = new RecordLoaders(dispatcher, request);
    while (!loaders.overBudget) await loaders.viewable('c', ids).catch(() => undefined);
    loaders.nextEvent();
    assert.equal(loaders.overBudget, false);
    assert.equal((await loaders.one('c', 'x'))?.id, 'x');
    assert.equal((await loaders.one('c', 'x'))?.id, 'x');
    assert.equal(read.ids, 1001);
    loaders.nextEvent();
    await loaders.one('c', 'x');
    assert.equal(read.ids, 1002, 'read again for the next event');
  });

  it("holds a socket's operations together to one budget while they hold their answers", async () => {
    const { dispatcher } = countingDispatcher();
    const socket = { held: 0 };
    const half = Math.ceil(MAX_RELATED_JSON / pageJson / 2) + 1;
    const first = new RecordLoaders(dispatcher, request, socket);
    for (let parent = 0; parent < half; parent++) await first.viewable('c', ids);
    assert.equal(first.overBudget, false);
    const second = new RecordLoaders(dispatcher, request, socket);
    let refused = false;
    for (let parent = 0; parent < half && !refused; parent++)
      await second.viewable('c', ids).catch(() => (refused = true));
    assert.equal(refused, true, 'the two together pass the budget');
    assert.equal(second.overBudget, true);
    first.release();
    second.release();
    assert.equal(socket.held, 0);
    const third = new RecordLoaders(dispatcher, request, socket);
    for (let parent = 0; parent < half; parent++) await third.viewable('c', ids);
    assert.equal(third.overBudget, false, 'what the first gave back is free again');
  });
});
