/** One email. `from` falls back to the mailer's configured sender. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly from?: string;
}

/**
 * Sends email. Core builds messages and hands them to a Mailer; the SMTP
 * implementation lives in the CLI, the dev outbox in core.
 * @example await mailer.send(verificationMail({ appName, appUrl, token, to: user.email }))
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
