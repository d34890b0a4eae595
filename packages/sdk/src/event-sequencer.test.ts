import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventSequencer, type ChangeMessage } from './event-sequencer.js';
import type { RealtimeEvent, RealtimeSubscription } from './realtime-subscription.js';

function subscription(id: string, seen: RealtimeEvent[], onReset?: () => void): RealtimeSubscription {
  return { id, topic: 'posts/*', options: {}, callback: (event) => seen.push(event), onReset, lastSeq: 0 };
}

const event = (sub: string, seq: number): ChangeMessage => ({
  type: 'event',
  sub,
  seq,
  action: 'create',
  record: { id: `r${seq}`, collectionId: 'c', collectionName: 'posts' },
});

describe('EventSequencer', () => {
  it('delivers live changes at once and remembers the newest seq', () => {
    const seen: RealtimeEvent[] = [];
    const sequencer = new EventSequencer(() => subscription('s1', seen));
    sequencer.push(event('s1', 3));
    sequencer.push({ type: 'leave', sub: 's1', seq: 4, id: 'r1' });
    assert.deepEqual(
      seen.map((e) => [e.action, e.seq]),
      [
        ['create', 3],
        ['leave', 4],
      ],
    );
    assert.equal(sequencer.lastSeq, 4);
  });

  it('holds changes during a resume and delivers them in seq order without duplicates', () => {
    const seen: RealtimeEvent[] = [];
    const sub = subscription('s1', seen);
    const sequencer = new EventSequencer((id) => (id === 's1' ? sub : undefined));
    sequencer.push(event('s1', 5));
    sequencer.beginResume();
    // Live changes may come before the replay of what was missed; some replays repeat.
    for (const seq of [9, 10, 5, 6, 7, 8, 9]) sequencer.push(event('s1', seq));
    sequencer.push(event('gone', 11));
    assert.equal(seen.length, 1, 'nothing is delivered before the replay is complete');
    sequencer.endResume(8);
    assert.deepEqual(
      seen.map((e) => e.seq),
      [5, 6, 7, 8, 9, 10],
    );
    assert.equal(sequencer.lastSeq, 10);
  });

  it('delivers one change to every subscription it matches', () => {
    const seen: RealtimeEvent[] = [];
    const subs = new Map([
      ['a', subscription('a', seen)],
      ['b', subscription('b', seen)],
    ]);
    const sequencer = new EventSequencer((id) => subs.get(id));
    sequencer.push(event('a', 7));
    sequencer.push(event('b', 7));
    assert.equal(seen.length, 2);
  });

  it('on reset calls onReset, then continues with changes after the reset seq', () => {
    const seen: RealtimeEvent[] = [];
    let resets = 0;
    const sub = subscription('s1', seen, () => resets++);
    const sequencer = new EventSequencer(() => sub);
    sequencer.beginResume();
    sequencer.push(event('s1', 40));
    sequencer.push(event('s1', 50));
    sequencer.reset(45, [sub]);
    assert.equal(resets, 1);
    assert.deepEqual(
      seen.map((e) => e.seq),
      [50],
    );
  });

  it('on a reset below its place (a restored server), takes the changes numbered after the reset seq', () => {
    const seen: RealtimeEvent[] = [];
    const sub = subscription('s1', seen);
    const sequencer = new EventSequencer(() => sub);
    for (const seq of [70, 71, 72]) sequencer.push(event('s1', seq));
    sequencer.beginResume();
    sequencer.reset(60, [sub]);
    assert.equal(sequencer.lastSeq, 60);
    for (const seq of [61, 62]) sequencer.push(event('s1', seq));
    assert.deepEqual(
      seen.map((e) => e.seq),
      [70, 71, 72, 61, 62],
    );
  });

  it('drops held changes when the socket closes mid-resume, so the next resume replays them', () => {
    const seen: RealtimeEvent[] = [];
    const sequencer = new EventSequencer(() => subscription('s1', seen));
    sequencer.lastSeq = 2;
    sequencer.beginResume();
    sequencer.push(event('s1', 3));
    sequencer.abortResume();
    assert.equal(seen.length, 0);
    assert.equal(sequencer.lastSeq, 2);
  });

  it('keeps going when a callback throws', () => {
    const errors: unknown[] = [];
    const seen: RealtimeEvent[] = [];
    const bad: RealtimeSubscription = {
      ...subscription('bad', seen),
      callback: () => {
        throw new Error('app bug');
      },
    };
    const good = subscription('good', seen);
    const sequencer = new EventSequencer(
      (id) => (id === 'bad' ? bad : good),
      (error) => errors.push(error),
    );
    sequencer.push(event('bad', 1));
    sequencer.push(event('good', 1));
    assert.equal(errors.length, 1);
    assert.equal(seen.length, 1);
  });
});
