/**
 * Test-only: reads a PocketBase-style event stream (`GET /api/realtime`) from a
 * listening server with Node's http client, frame by frame, every wait bounded.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

/** One frame: its raw text and its fields (`id`, `event`, `data`), or a comment. */
export interface SseFrame {
  readonly raw: string;
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** An open stream. */
export interface SseTestStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every frame received so far, in order. */
  readonly frames: readonly SseFrame[];
  /** The client id from the first frame (PB_CONNECT), when the stream opened with 200. */
  readonly clientId: string;
  /** The raw body of a refused request (not 200). */
  readonly body: string;
  /** Waits for the first frame after `from` frames that matches. */
  next(match: (frame: SseFrame) => boolean, timeoutMs?: number, from?: number): Promise<SseFrame>;
  /** Resolves when the server ends the stream. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens `GET <base>/api/realtime` and resolves after the first frame (or with the refusal). */
export function openSse(base: string, timeoutMs = 5000): Promise<SseTestStream> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the stream did not open in time')), timeoutMs);
    const req = request(`${base}/api/realtime`, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      const frames: SseFrame[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let body = '';
      let done = false;
      const notify = () => waiters.forEach((wake) => wake());
      res.on('data', (chunk: string) => {
        if (res.statusCode !== 200) return void (body += chunk);
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          frames.push(parseFrame(buffer.slice(0, end + 2)));
          buffer = buffer.slice(end + 2);
        }
        notify();
      });
      res.on('close', () => ((done = true), notify()));
      const waitFor = <T>(check: () => T | undefined, ms: number, what: string) =>
        new Promise<T>((ok, fail) => {
          const wake = () => {
            const found = check();
            if (found === undefined) return;
            waiters.delete(wake);
            clearTimeout(limit);
            ok(found);
          };
          const limit = setTimeout(
            () => (
              waiters.delete(wake),
              fail(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames.map((f) => f.raw))}`))
            ),
            ms,
          );
          waiters.add(wake);
          wake();
        });
      const stream: SseTestStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        get clientId() {
          return frames[0]?.id ?? '';
        },
        get body() {
          return body;
        },
        next: (match, ms = 5000, from = 0) => waitFor(() => frames.slice(from).find(match), ms, 'a matching frame'),
        ended: (ms = 5000) =>
          waitFor(() => (done ? true : undefined), ms, 'the end of the stream').then(() => undefined),
        close: () => req.destroy(),
      };
      const ready =
        res.statusCode === 200
          ? waitFor(() => frames[0], timeoutMs, 'PB_CONNECT')
          : waitFor(() => (done ? true : undefined), timeoutMs, 'the refusal');
      ready.then(() => (clearTimeout(timer), resolve(stream)), reject);
    });
    req.on('error', (error) => (clearTimeout(timer), reject(error)));
    req.end();
  });
}

function parseFrame(raw: string): SseFrame {
  const frame: Record<string, string> = { raw };
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    if (line.startsWith(':')) frame.comment = line.slice(1);
    const colon = line.indexOf(':');
    if (colon > 0) frame[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return frame as unknown as SseFrame;
}

/** The subscription string the pocketbase SDK builds for `subscribe(topic, cb, options)`. */
export function sdkSubscription(
  topic: string,
  query?: Record<string, unknown>,
  headers?: Record<string, string>,
): string {
  return query || headers ? `${topic}?options=${encodeURIComponent(JSON.stringify({ query, headers }))}` : topic;
}
