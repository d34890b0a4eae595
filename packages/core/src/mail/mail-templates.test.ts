import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionLink, emailChangeMail, otpMail, passwordResetMail, verificationMail } from './mail-templates.js';

const context = { appName: 'Acme', appUrl: 'https://acme.test', to: 'ada@example.com' };

describe('mail templates', () => {
  const cases = [
    ['verificationMail', verificationMail, 'confirm-verification'],
    ['passwordResetMail', passwordResetMail, 'confirm-password-reset'],
    ['emailChangeMail', emailChangeMail, 'confirm-email-change'],
  ] as const;

  for (const [name, build, action] of cases) {
    it(`${name} links to /_/#/auth/${action}/<token> in text and html`, () => {
      const message = build({ ...context, token: 'tok.en-1' });
      const link = `https://acme.test/_/#/auth/${action}/tok.en-1`;
      assert.equal(message.to, 'ada@example.com');
      assert.match(message.subject, /Acme/);
      assert.ok(message.text.includes(link), message.text);
      assert.ok(message.html!.includes(`href="${link}"`), message.html);
    });
  }

  it('otpMail puts the code in the text and the html', () => {
    const message = otpMail({ ...context, otp: '428913' });
    assert.equal(message.to, 'ada@example.com');
    assert.ok(message.text.includes('428913'));
    assert.ok(message.html!.includes('428913'));
  });

  it('escapes the app name in html', () => {
    const message = verificationMail({ ...context, appName: '<b>Acme</b>', token: 't' });
    assert.ok(!message.html!.includes('<b>Acme</b>'));
    assert.ok(message.html!.includes('&#60;b&#62;Acme'));
  });
});

describe('actionLink', () => {
  it('drops a trailing slash of the app URL and encodes the token', () => {
    assert.equal(
      actionLink('https://acme.test/', 'confirm-verification', 'a/b'),
      'https://acme.test/_/#/auth/confirm-verification/a%2Fb',
    );
  });
});
