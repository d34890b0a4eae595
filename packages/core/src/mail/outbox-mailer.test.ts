import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, type TestStore } from '../testing/test-stores.fixture.js';
import { OutboxMailer } from './outbox-mailer.js';

forEachStore((_name, open) => {
  let db: TestStore;
  let outbox: OutboxMailer;
  before(async () => {
    db = await open();
    outbox = new OutboxMailer(db.store);
    await outbox.ensureSchema();
    await outbox.ensureSchema();
  });
  after(() => db.cleanup());

  const mail = (to: string, subject: string) => ({ to, subject, text: `${subject} text` });

  it('keeps every message and lists the newest first', async () => {
    await outbox.clear();
    await outbox.send(mail('ada@example.com', 'first'));
    await outbox.send({ ...mail('bob@example.com', 'second'), html: '<p>second</p>', from: 'app@example.com' });
    await outbox.send(mail('ada@example.com', 'third'));
    const all = await outbox.list();
    assert.deepEqual(
      all.map((m) => m.subject),
      ['third', 'second', 'first'],
    );
    const second = all[1]!;
    assert.deepEqual(
      [second.to, second.from, second.text, second.html],
      ['bob@example.com', 'app@example.com', 'second text', '<p>second</p>'],
    );
    assert.equal(all[0]!.html, null);
    assert.ok(!Number.isNaN(Date.parse(all[0]!.created)));
  });

  it('filters by recipient and limits', async () => {
    await outbox.clear();
    for (const subject of ['a', 'b', 'c']) await outbox.send(mail('ada@example.com', subject));
    await outbox.send(mail('bob@example.com', 'd'));
    assert.deepEqual(
      (await outbox.list({ to: 'ada@example.com', limit: 2 })).map((m) => m.subject),
      ['c', 'b'],
    );
    assert.equal((await outbox.latestTo('ada@example.com'))?.subject, 'c');
    assert.equal((await outbox.latestTo('bob@example.com'))?.subject, 'd');
    assert.equal(await outbox.latestTo('nobody@example.com'), undefined);
  });

  it('empties with clear', async () => {
    await outbox.send(mail('ada@example.com', 'x'));
    await outbox.clear();
    assert.deepEqual(await outbox.list(), []);
  });
});
