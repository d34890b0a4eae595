import { isAppError } from '../errors/app-error.js';
import type { RequestContext, RuleDecision } from '../records/request-context.js';
import type { Principal } from '../schema/principal.js';
import type { StoreTiming } from '../store/timed-store.js';

/** What a transport says of one call before it runs. */
export interface CallDescription {
  /** `websocket` or `grpc` (HTTP requests are watched at the HTTP edge). */
  readonly transport: string;
  /** The action or method called, e.g. `records.view` or `/tandem.v1.Records/Get`. */
  readonly name: string;
  readonly collection?: string;
  readonly recordId?: string;
  readonly tls: boolean;
}

/** One finished call of a transport other than HTTP, as a watcher of the request flow sees it. */
export interface WatchedCall extends CallDescription {
  readonly principal: Principal;
  /** The HTTP status the same call would have answered over REST (500 for a fault). */
  readonly status: number;
  readonly rules: readonly RuleDecision[];
  readonly dbMs: number;
  readonly totalMs: number;
}

/** Who watches calls (the admin UI's Flow stream); `watching` is read before any work is done for it. */
export interface CallWatcher {
  readonly watching: boolean;
  /** Read while `watching`, once per call: false past the watchers' rate (the call is not traced). */
  admit(): boolean;
  called(call: WatchedCall): void;
}

/**
 * Runs one call of a socket or gRPC transport. While nobody watches it is `run(request)`
 * and nothing else; while someone does, the call's rule decisions and store time are
 * collected and the finished call (answered or failed) is reported.
 */
export async function watchCall<T>(
  watcher: CallWatcher | undefined,
  describe: () => CallDescription,
  request: RequestContext,
  run: (request: RequestContext) => Promise<T>,
): Promise<T> {
  if (!watcher?.watching || !watcher.admit()) return run(request);
  const started = performance.now();
  const rules: RuleDecision[] = [];
  const timing: StoreTiming = { dbMs: 0 };
  const report = (status: number) =>
    watcher.called({
      ...describe(),
      principal: request.principal,
      status,
      rules,
      dbMs: timing.dbMs,
      totalMs: performance.now() - started,
    });
  try {
    const result = await run({ ...request, timing, trace: { rule: (decision) => rules.push(decision) } });
    report(statusOf(result));
    return result;
  } catch (error) {
    report(isAppError(error) ? error.status : 500);
    throw error;
  }
}

function statusOf(result: unknown): number {
  const status = (result as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : 200;
}
