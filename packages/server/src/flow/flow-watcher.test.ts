import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowEvent } from '@tandem/protocol';
import { FlowWatcher, type FlowSink } from './flow-watcher.js';

/** A sink that takes frames, and reports a backlog the test sets (a slow browser). */
function sink(backlog = 0): FlowSink & { frames: Array<{ events: FlowEvent[]; dropped: number }>; backlog: number } {
  const frames: Array<{ events: FlowEvent[]; dropped: number }> = [];
  return {
    frames,
    backlog,
    get writableLength() {
      return this.backlog;
    },
    write(chunk: string) {
      frames.push(JSON.parse(chunk.split('data: ')[1]!));
    },
  };
}

const change = (seq: number): FlowEvent => ({
  type: 'change',
  at: 0,
  seq,
  collection: 'posts',
  recordId: 'r',
  action: 'create',
  clients: 0,
  delivered: {},
});
const limits = { capacity: 3, maxBufferedBytes: 100, flushMs: 60_000 };

describe('FlowWatcher', () => {
  it('sends queued events as one frame', () => {
    const out = sink();
    const watcher = new FlowWatcher(out, limits);
    watcher.push(change(1));
    watcher.push(change(2));
    watcher.flush();
    assert.deepEqual(
      out.frames.map((f) => f.events.map((e) => (e.type === 'change' ? e.seq : 0))),
      [[1, 2]],
    );
    watcher.close();
  });

  it('keeps only the newest events when full, and reports how many it dropped', () => {
    const out = sink();
    const watcher = new FlowWatcher(out, limits);
    for (let seq = 1; seq <= 10; seq++) watcher.push(change(seq));
    assert.equal(watcher.pending, 3);
    watcher.flush();
    const [frame] = out.frames;
    assert.deepEqual(
      frame!.events.map((e) => (e.type === 'change' ? e.seq : 0)),
      [8, 9, 10],
    );
    assert.equal(frame!.dropped, 7);
    watcher.close();
  });

  it('writes nothing to a slow reader and never holds more than its capacity', () => {
    const out = sink(1_000);
    const watcher = new FlowWatcher(out, limits);
    for (let seq = 1; seq <= 1_000; seq++) {
      watcher.push(change(seq));
      if (seq % 100 === 0) watcher.flush();
    }
    assert.equal(out.frames.length, 0);
    assert.equal(watcher.pending, 3);
    out.backlog = 0;
    watcher.flush();
    assert.equal(out.frames[0]!.dropped, 997);
    watcher.close();
  });

  it('ignores events after it is closed', () => {
    const out = sink();
    const watcher = new FlowWatcher(out, limits);
    watcher.close();
    watcher.push(change(1));
    watcher.flush();
    assert.equal(out.frames.length, 0);
  });
});
