import { Hook, budgetedRunner } from '../hooks/hook.js';
import type { MailMessage, Mailer } from './mailer.js';

/** Before a mail is sent: change `message` (or do not call `next()` to drop it). */
export interface MailSendEvent {
  message: MailMessage;
}

/**
 * A Mailer with PocketBase's `onMailSend` hook around it: handlers see every mail core
 * sends (verification, password reset, OTP, email change, …) before the real mailer does.
 */
export class HookedMailer implements Mailer {
  readonly onMailSend = new Hook<MailSendEvent>();
  readonly #inner: Mailer;
  #run = budgetedRunner(10_000);

  constructor(inner: Mailer) {
    this.#inner = inner;
  }

  /** Sets the time budget of each handler. */
  setBudget(budgetMs: number): void {
    this.#run = budgetedRunner(budgetMs);
  }

  async send(message: MailMessage): Promise<void> {
    if (this.onMailSend.size === 0) return this.#inner.send(message);
    await this.onMailSend.trigger(
      { message: { ...message } },
      (e) => this.#inner.send(e.message),
      undefined,
      this.#run,
    );
  }
}
