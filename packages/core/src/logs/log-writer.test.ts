/**
 * When the request log's writer hands batches to its sink: a full batch at once, a
 * partial one once its oldest entry has waited `flushMs`, one write at a time, and never
 * a small batch of whatever queued during the last write.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { entriesOf, type RequestLogBatch } from './log-batch.js';
import type { LogSink } from './log-sink.js';
import { LogWriter } from './log-writer.js';
import { guestRequestLogInput as request } from '../testing/request-log-input.fixture.js';

const settings = () => ({ maxDays: 5, minLevel: 0, logIP: false, logAuthId: false });

/** A sink that keeps each batch's urls and holds each write until `release`. */
function heldSink() {
  const batches: string[][] = [];
  const held: Array<() => void> = [];
  const sink: LogSink = {
    write(batch: RequestLogBatch) {
      batches.push(entriesOf(batch).map((entry) => String(entry.data.url)));
      return new Promise<void>((resolve) => held.push(resolve));
    },
    deleteBefore: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
  return {
    sink,
    batches,
    writesHeld: () => held.length,
    release: () => held.shift()?.(),
  };
}

/** Lets timers of 0 ms and promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await turn();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const urls = (from: number, count: number) => Array.from({ length: count }, (_, i) => `/${from + i}`);

describe('the request log writer', () => {
  it('writes full batches at once and one write at a time; what is left waits for flushMs', async () => {
    const { sink, batches, writesHeld, release } = heldSink();
    // NB: flushMs of a minute: a partial batch written during the test would be a bug, not a slow machine.
    const writer = new LogWriter(sink, { settings, maxBatch: 10, flushMs: 60_000 });
    for (const url of urls(0, 10)) writer.logRequest(request(url));
    await settle();
    assert.deepEqual(batches, [urls(0, 10)], 'a full batch goes at once');

    for (const url of urls(10, 13)) writer.logRequest(request(url));
    await settle();
    assert.equal(batches.length, 1, 'no second write while the first is under way');

    release();
    await settle();
    assert.deepEqual(batches, [urls(0, 10), urls(10, 10)], 'the full batch queued meanwhile goes next');

    release();
    await settle();
    assert.equal(batches.length, 2, 'the 3 left wait for their flushMs instead of a write of their own');
    assert.equal(writesHeld(), 0);

    const flushed = writer.flush();
    await settle();
    assert.deepEqual(batches.at(-1), urls(20, 3), 'flush writes them');
    release();
    await flushed;
    assert.equal(writer.dropped, 0);
  });

  it('writes a partial batch once its oldest entry has waited flushMs', async () => {
    const { sink, batches, release } = heldSink();
    const writer = new LogWriter(sink, { settings, maxBatch: 100, flushMs: 20 });
    writer.logRequest(request('/a'));
    writer.logRequest(request('/b'));
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(batches, [['/a', '/b']]);
    release();
    await writer.stop();
  });

  it('counts the entries of a failed write as dropped, and goes on', async () => {
    let fail = true;
    const written: number[] = [];
    const sink: LogSink = {
      write: (batch) =>
        fail ? Promise.reject(new Error('disk full')) : (written.push(batch.count), Promise.resolve()),
      deleteBefore: () => Promise.resolve(0),
      close: () => Promise.resolve(),
    };
    const errors: Array<{ error: unknown; dropped: number }> = [];
    const writer = new LogWriter(sink, {
      settings,
      maxBatch: 4,
      onError: (error, dropped) => errors.push({ error, dropped }),
    });
    for (const url of urls(0, 6)) writer.logRequest(request(url));
    await writer.flush();
    assert.equal(writer.dropped, 6);
    assert.deepEqual(
      errors.map(({ dropped }) => dropped),
      [4, 2],
      'each failed batch reports the entries it lost',
    );
    fail = false;
    for (const url of urls(6, 3)) writer.logRequest(request(url));
    await writer.stop();
    assert.deepEqual(written, [3]);
    assert.equal(writer.dropped, 6);
  });

  it('reports a failed deletion of old entries with nothing dropped, and keeps writing', async () => {
    const written: number[] = [];
    const sink: LogSink = {
      write: (batch) => (written.push(batch.count), Promise.resolve()),
      deleteBefore: () => Promise.reject(new Error('disk I/O error')),
      close: () => Promise.resolve(),
    };
    const errors: Array<{ error: unknown; dropped: number }> = [];
    const writer = new LogWriter(sink, { settings, onError: (error, dropped) => errors.push({ error, dropped }) });
    for (const url of urls(0, 2)) writer.logRequest(request(url));
    await writer.stop();
    assert.deepEqual(written, [2]);
    assert.equal(writer.dropped, 0);
    assert.deepEqual(
      errors.map(({ error, dropped }) => [(error as Error).message, dropped]),
      [['disk I/O error', 0]],
    );
  });
});
