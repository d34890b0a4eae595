import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase, { type ClientResponseError } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import type { ServeProcess } from '../testing/spawn-tandem.fixture.js';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The official pocketbase SDK drives Tandem's auth flows end to end against a real
 * `tandem serve`, reading mail from the dev outbox through the superuser endpoint.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`the pocketbase SDK's auth against tandem serve on ${dialect}`, { skip }, () => {
    let server: ServeProcess;
    let admin: PocketBase;
    let fixture: ServeFixture | undefined;
    const client = () => {
      const pb = new PocketBase(server.url);
      pb.autoCancellation(false);
      return pb;
    };
    /** The newest mail to an address, read by a superuser from the outbox. */
    const mailTo = async (to: string): Promise<string> => {
      const mails = await admin.send(`/api/mails?to=${encodeURIComponent(to)}&limit=1`, {});
      assert.ok(mails.items.length > 0, `a mail to ${to}`);
      return mails.items[0].text as string;
    };
    const tokenIn = (text: string) => /confirm-[a-z-]+\/([A-Za-z0-9_.-]+)/.exec(text)![1]!;
    const codeIn = (text: string) => /\b(\d{8})\b/.exec(text)![1]!;

    before(async () => {
      fixture = await startServeFixture(dialect, { superuser: true });
      server = fixture.server;
      admin = client();
      await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      assert.equal(admin.authStore.isSuperuser, true);
    });

    after(async () => {
      await fixture?.dispose();
    });

    it('signs up, logs in and refreshes', async () => {
      const pb = client();
      const user = await pb
        .collection('users')
        .create({ email: 'ada@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Ada' });
      assert.equal(user.name, 'Ada');
      const auth = await pb.collection('users').authWithPassword('ada@example.com', PASSWORD);
      assert.equal(pb.authStore.isValid, true);
      assert.equal(auth.record.email, 'ada@example.com');
      const refreshed = await pb.collection('users').authRefresh();
      assert.equal(refreshed.record.id, user.id);
      await assert.rejects(
        pb.collection('users').authWithPassword('ada@example.com', 'wrong password!'),
        (e: ClientResponseError) => e.status === 400,
      );
    });

    it('verifies the email with the token from the outbox', async () => {
      const pb = client();
      await pb.collection('users').authWithPassword('ada@example.com', PASSWORD);
      await pb.collection('users').requestVerification('ada@example.com');
      await pb.collection('users').confirmVerification(tokenIn(await mailTo('ada@example.com')));
      assert.equal(pb.authStore.record?.verified, true, 'the SDK marks its record verified');
      assert.equal((await pb.collection('users').authRefresh()).record.verified, true);
    });

    it('resets the password; the old token fails afterwards', async () => {
      const pb = client();
      await pb.collection('users').authWithPassword('ada@example.com', PASSWORD);
      const oldToken = pb.authStore.token;
      await pb.collection('users').requestPasswordReset('ada@example.com');
      const next = 'ada picks a new passphrase';
      await pb.collection('users').confirmPasswordReset(tokenIn(await mailTo('ada@example.com')), next, next);
      const stale = client();
      stale.authStore.save(oldToken, pb.authStore.record);
      await assert.rejects(stale.collection('users').authRefresh(), (e: ClientResponseError) => e.status === 401);
      await pb.collection('users').authWithPassword('ada@example.com', next);
      assert.equal(pb.authStore.isValid, true);
    });

    it('logs in with an OTP, then with password + OTP under MFA', async () => {
      await admin.collections.update('users', { otp: { enabled: true, duration: 180, length: 8 } });
      const pb = client();
      const { otpId } = await pb.collection('users').requestOTP('ada@example.com');
      await pb.collection('users').authWithOTP(otpId, codeIn(await mailTo('ada@example.com')));
      assert.equal(pb.authStore.isValid, true);

      await admin.collections.update('users', { mfa: { enabled: true, duration: 600, rule: '' } });
      const mfa = client();
      let mfaId = '';
      await assert.rejects(
        mfa.collection('users').authWithPassword('ada@example.com', 'ada picks a new passphrase'),
        (e: ClientResponseError) => {
          mfaId = e.response.mfaId;
          return e.status === 401 && typeof mfaId === 'string';
        },
      );
      const second = await mfa.collection('users').requestOTP('ada@example.com');
      await mfa.collection('users').authWithOTP(second.otpId, codeIn(await mailTo('ada@example.com')), { mfaId });
      assert.equal(mfa.authStore.isValid, true);
      await admin.collections.update('users', { mfa: { enabled: false, duration: 600, rule: '' } });
    });
  });
}
