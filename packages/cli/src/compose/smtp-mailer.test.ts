import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSmtpMailer } from './smtp-mailer.js';
import { CliError } from '../config/cli-error.js';

describe('createSmtpMailer', () => {
  it('accepts smtp and smtps URLs without connecting', () => {
    createSmtpMailer('smtp://user:pass@127.0.0.1:2525', 'app@example.com').close();
    createSmtpMailer('smtps://mail.example.com:465', 'Acme <app@example.com>').close();
  });

  it('refuses a bad URL at creation, without echoing its password', () => {
    for (const url of ['', 'not a url', 'http://user:hunter2@mail.example.com', 'smtp://', 'mailto:app@example.com']) {
      assert.throws(
        () => createSmtpMailer(url, 'app@example.com'),
        (error: unknown) => {
          assert.ok(error instanceof CliError, String(error));
          assert.ok(!error.message.includes('hunter2'), error.message);
          return true;
        },
        url,
      );
    }
  });

  it('refuses an empty sender', () => {
    assert.throws(() => createSmtpMailer('smtp://127.0.0.1:2525', ' '), CliError);
  });
});
