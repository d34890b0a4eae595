/**
 * A restore restarts `tandem serve` in-process, which composes everything anew: what the
 * previous composition opened must be closed, or every restore leaks it for the life of
 * the process. The request log's own store once stayed open, two connections to
 * `logs.db` per restore.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import PocketBase from 'pocketbase';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const RESTORES = 3;

/** The files `pid` holds open whose path ends with `suffix` (Linux's /proc). */
function openFiles(pid: number, suffix: string): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(suffix);
    } catch {
      return false; // closed while listed
    }
  }).length;
}

async function healthy(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('the server did not come back after the restore');
}

describe('restarts on restored backups', { skip: !existsSync('/proc/self/fd') && 'needs /proc' }, () => {
  let fixture: ServeFixture;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, blog: true, requestLog: true });
  });
  after(async () => {
    await fixture?.dispose();
  });

  it('keeps no file of an earlier start open, however many restores', async () => {
    const { url, child } = fixture.server;
    const signIn = async () => {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      return pb;
    };
    await (await signIn()).backups.create('base.zip');
    const counts = () => ({ data: openFiles(child.pid!, '/data.db'), logs: openFiles(child.pid!, '/logs.db') });
    const seen: Array<ReturnType<typeof counts>> = [];
    for (let i = 0; i < RESTORES; i++) {
      await (await signIn()).backups.restore('base.zip');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await healthy(url);
      // Requests that write the log, so that its files are open in this start too.
      for (let n = 0; n < 5; n++) await fetch(`${url}/api/collections/posts/records`);
      seen.push(counts());
    }
    assert.ok(seen[0]!.logs > 0 && seen[0]!.data > 0, `the files are open: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen, Array(RESTORES).fill(seen[0]), 'as many open after each restore as after the first');
  });
});
