import type { MailMessage } from './mailer.js';

/** What every auth email needs: the app's name, its public URL and the recipient. */
export interface MailContext {
  readonly appName: string;
  readonly appUrl: string;
  readonly to: string;
}

/**
 * The email-verification message, linking to `<appUrl>/_/#/auth/confirm-verification/<token>`.
 * @example await mailer.send(verificationMail({ appName: 'Acme', appUrl: 'https://acme.test', to, token }))
 */
export function verificationMail(input: MailContext & { token: string }): MailMessage {
  const link = actionLink(input.appUrl, 'confirm-verification', input.token);
  return linkMail(
    input,
    `Verify your ${input.appName} email`,
    'Thank you for joining us. Click the link below to verify your email address.',
    link,
  );
}

/** The password-reset message, linking to `<appUrl>/_/#/auth/confirm-password-reset/<token>`. */
export function passwordResetMail(input: MailContext & { token: string }): MailMessage {
  const link = actionLink(input.appUrl, 'confirm-password-reset', input.token);
  return linkMail(
    input,
    `Reset your ${input.appName} password`,
    'Click the link below to reset your password.',
    link,
    'If you did not ask to reset your password, you can ignore this email.',
  );
}

/** The email-change confirmation, sent to the new address, linking to `<appUrl>/_/#/auth/confirm-email-change/<token>`. */
export function emailChangeMail(input: MailContext & { token: string }): MailMessage {
  const link = actionLink(input.appUrl, 'confirm-email-change', input.token);
  return linkMail(
    input,
    `Confirm your new ${input.appName} email address`,
    'Click the link below to confirm your new email address.',
    link,
    'If you did not ask to change your email address, you can ignore this email.',
  );
}

/** The one-time-password message, with the code in the text. */
export function otpMail(input: MailContext & { otp: string }): MailMessage {
  const ignore = 'If you did not ask for this code, you can ignore this email.';
  return {
    to: input.to,
    subject: `Your ${input.appName} one-time password`,
    text: `Hello,\n\nYour one-time password is: ${input.otp}\n\n${ignore}\n\nThanks,\n${input.appName} team\n`,
    html: `<p>Hello,</p><p>Your one-time password is: <strong>${escapeHtml(input.otp)}</strong></p><p><i>${ignore}</i></p><p>Thanks,<br/>${escapeHtml(input.appName)} team</p>`,
  };
}

/** `<appUrl>/_/#/auth/<action>/<token>`, with the token URL-encoded and no double slash. */
export function actionLink(appUrl: string, action: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/_/#/auth/${action}/${encodeURIComponent(token)}`;
}

function linkMail(input: MailContext, subject: string, lead: string, link: string, ignore?: string): MailMessage {
  const tail = ignore ? `\n\n${ignore}` : '';
  const htmlTail = ignore ? `<p><i>${escapeHtml(ignore)}</i></p>` : '';
  return {
    to: input.to,
    subject,
    text: `Hello,\n\n${lead}\n\n${link}${tail}\n\nThanks,\n${input.appName} team\n`,
    html: `<p>Hello,</p><p>${escapeHtml(lead)}</p><p><a href="${escapeHtml(link)}" target="_blank" rel="noopener">${escapeHtml(link)}</a></p>${htmlTail}<p>Thanks,<br/>${escapeHtml(input.appName)} team</p>`,
  };
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
