/**
 * Test-only: a Watch stream read as a queue, so a test can wait for the next change.
 */
import type { ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { statusSeen, type StatusSeen } from './grpc-calls.fixture.js';

/** An open Watch: its head seq header, the changes so far, and a way to wait for more. */
export interface WatchedStream {
  readonly head: Promise<string>;
  readonly changes: any[];
  /** Resolves with the change at `index` once it arrived. */
  change(index: number): Promise<any>;
  /** Resolves with the status the stream ended with. */
  readonly ended: Promise<StatusSeen>;
  cancel(): void;
}

/** Opens `Records.Watch` on a reflected client. */
export function openWatch(
  client: Record<string, any>,
  request: Record<string, unknown>,
  metadata: Metadata,
): WatchedStream {
  const stream: ClientReadableStream<any> = client.Watch(request, metadata);
  const changes: any[] = [];
  const waiters: Array<() => void> = [];
  const head = new Promise<string>((resolve) =>
    stream.once('metadata', (headers: Metadata) => resolve(String(headers.get('tandem-seq')[0] ?? ''))),
  );
  stream.on('data', (change) => {
    changes.push(change);
    for (const wake of waiters.splice(0)) wake();
  });
  const ended = new Promise<StatusSeen>((resolve) => {
    stream.on('error', (error: any) => resolve(statusSeen(error)));
    stream.on('status', (status: any) => status.code === 0 && resolve(statusSeen(status)));
  });
  ended.then(() => waiters.splice(0).forEach((wake) => wake()));
  const change = async (index: number) => {
    while (changes.length <= index) {
      const settled = await Promise.race([
        new Promise<string>((r) => waiters.push(() => r('more'))),
        ended.then(() => 'ended'),
      ]);
      if (settled === 'ended' && changes.length <= index) throw new Error(`the stream ended before change ${index}`);
    }
    return changes[index];
  };
  return { head, changes, change, ended, cancel: () => stream.cancel() };
}
