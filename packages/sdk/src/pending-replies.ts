import type { ServerMessage } from '@tandem/protocol';
import { ClientError, ClientErrorCode } from './client-error.js';

type Reply = Exclude<ServerMessage, { type: 'error' }>;

/** Messages of the socket that answer one client message, matched by `id`. */
export class PendingReplies {
  readonly #waiting = new Map<string, { resolve(reply: Reply): void; reject(error: ClientError): void }>();

  /** Waits for the answer to the message with this id; an `error` answer rejects as ClientError. */
  wait(id: string): Promise<Reply> {
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }

  /** Settles the waiter of a message's id; false when nobody waits for it. */
  settle(message: ServerMessage): boolean {
    const id = (message as { id?: string }).id;
    const waiter = id === undefined ? undefined : this.#waiting.get(id);
    if (!waiter) return false;
    this.#waiting.delete(id!);
    if (message.type === 'error')
      waiter.reject(new ClientError(message.status, message.code, message.message, message.data ?? {}));
    else waiter.resolve(message);
    return true;
  }

  /** Fails every waiter: the socket closed before they were answered. */
  failAll(reason: string): void {
    const error = new ClientError(0, ClientErrorCode.SOCKET_CLOSED, reason);
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }

  get size(): number {
    return this.#waiting.size;
  }
}
