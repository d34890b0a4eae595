import type { ClientMessage, ServerMessage } from '@tandem/protocol';
import type { WebSocketLike } from '../web-socket.js';

/**
 * Test-only: an in-memory WebSocket. The test plays the server: it reads what the
 * client sent (`sent`) and answers with `receive`; `drop` cuts the connection.
 */
export class FakeWebSocket implements WebSocketLike {
  /** Every socket the client opened, in order. */
  static readonly opened: FakeWebSocket[] = [];
  readyState = 0;
  readonly protocol: string;
  readonly url: string;
  readonly sent: ClientMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(url: string, protocols?: string | string[]) {
    this.url = url;
    this.protocol = String(protocols ?? '');
    FakeWebSocket.opened.push(this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** Delivers a server message to the client. */
  receive(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** Cuts the connection as a network failure would (code 1006). */
  drop(): void {
    this.close(1006);
  }
}
