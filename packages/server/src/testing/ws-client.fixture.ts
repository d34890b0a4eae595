/**
 * Test-only: a WebSocket client of Tandem's protocol that records every message and
 * waits for the ones a test expects, each wait bounded in time.
 */
import WebSocket from 'ws';
import { REALTIME_SUBPROTOCOL, type ClientMessage, type ServerMessage } from '@tandem/protocol';

/** A connected test socket. */
export interface TestSocket {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[];
  send(message: ClientMessage | string): void;
  /** Resolves with the first message (from `from` on) that matches, or rejects after `timeoutMs`. */
  waitFor<T extends ServerMessage>(
    match: (message: ServerMessage) => message is T,
    timeoutMs?: number,
    from?: number,
  ): Promise<T>;
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs?: number, from?: number): Promise<ServerMessage>;
  /** Resolves with the close code (or rejects after `timeoutMs`). */
  closed(timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Opens a socket to `baseUrl`'s /api/ws (`wss:` for an `https:` base, trusting `tls.ca`) and waits for `welcome`. */
export async function openTestSocket(
  baseUrl: string,
  headers: Record<string, string> = {},
  tls: { readonly ca?: string | Buffer } = {},
): Promise<TestSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/ws`, REALTIME_SUBPROTOCOL, { headers, ...tls });
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  let closeCode: number | undefined;
  // Tandem's protocol is text frames only (a browser would get a Blob for a binary one).
  let binaryFrames = 0;
  ws.on('message', (data, isBinary) => {
    if (isBinary) binaryFrames += 1;
    else messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const wake of waiters) wake();
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const wake of waiters) wake();
  });
  const socket: TestSocket = {
    ws,
    messages,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor(match: (message: ServerMessage) => boolean, timeoutMs = 5000, from = 0) {
      return new Promise<ServerMessage>((resolve, reject) => {
        const check = () => {
          if (binaryFrames > 0) return done(() => reject(new Error(`the server sent ${binaryFrames} binary frame(s)`)));
          const found = messages.slice(from).find(match);
          if (found) return done(() => resolve(found));
          if (closeCode !== undefined)
            return done(() =>
              reject(
                new Error(
                  `socket closed (${closeCode}) before the expected message; got ${JSON.stringify(messages.slice(-5))}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out waiting; last messages ${JSON.stringify(messages.slice(-5))}`))),
          timeoutMs,
        );
        const done = (finish: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          finish();
        };
        waiters.add(check);
        check();
      });
    },
    closed(timeoutMs = 5000) {
      return new Promise<number>((resolve, reject) => {
        if (closeCode !== undefined) return resolve(closeCode);
        const timer = setTimeout(() => reject(new Error('socket did not close in time')), timeoutMs);
        ws.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
    close: () => ws.close(),
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) =>
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })),
    );
  });
  await socket.waitFor((m) => m.type === 'welcome');
  return socket;
}
