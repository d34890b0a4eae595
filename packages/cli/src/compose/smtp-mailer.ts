import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from '@tandem/core';
import { CliError } from '../config/cli-error.js';

/** A Mailer that also closes its SMTP connections. */
export interface SmtpMailer extends Mailer {
  close(): void;
}

/**
 * A Mailer over SMTP (nodemailer). `url` is `smtp://user:pass@host:587` (STARTTLS when
 * offered) or `smtps://…:465` (TLS from the start); `from` is the default sender.
 * The URL is checked here, so a typo fails at start-up rather than at the first email.
 * @example const mailer = createSmtpMailer('smtps://apikey:secret@smtp.example.com:465', 'Acme <no-reply@acme.test>')
 */
export function createSmtpMailer(url: string, from: string): SmtpMailer {
  assertSmtpUrl(url);
  if (typeof from !== 'string' || from.trim() === '') throw new CliError('The mail sender (from) must not be empty.');
  const transport = nodemailer.createTransport(url);
  return {
    async send(message: MailMessage) {
      await transport.sendMail({
        from: message.from ?? from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    close: () => transport.close(),
  };
}

/** Throws a CliError unless `url` is an smtp: or smtps: URL with a host. NB: the message never repeats the URL, which may hold a password. */
function assertSmtpUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('The SMTP URL is not a valid URL (expected smtp://user:pass@host:port or smtps://…).');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
    throw new CliError(`The SMTP URL must start with smtp:// or smtps://, not ${parsed.protocol}//.`);
  if (parsed.hostname === '') throw new CliError('The SMTP URL has no host.');
}
