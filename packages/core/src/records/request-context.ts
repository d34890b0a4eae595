import type { Principal } from '../schema/principal.js';
import type { StoreTiming } from '../store/timed-store.js';

/**
 * What a transport knows of the request an action serves; rules read it through
 * `@request.*`. Header names are lowercased with `-` turned into `_`.
 */
export interface RequestContext {
  readonly principal: Principal;
  readonly method: string;
  /** May be a getter that computes the headers on first read: read it only when a rule needs it. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** `default`, `realtime`, `batch`, `expand`, … */
  readonly context: string;
  /** Where the record actions add the time they spend in the store (HTTP's `Server-Timing`), if anywhere. */
  readonly timing?: StoreTiming;
  /**
   * Aborted when the caller gave up (a gRPC deadline or cancel): work not yet started is
   * not started, and a write that was still waiting for the database is not made.
   */
  readonly signal?: AbortSignal;
}

/** A request context for code that acts outside any transport (CLI, tests). */
export function internalRequest(principal: Principal, method = 'GET'): RequestContext {
  return { principal, method, headers: {}, query: {}, context: 'default' };
}

/** The id of the auth record asking, for "is this my own record" decisions (email visibility). */
export function viewerIdOf(request: RequestContext): string | undefined {
  return request.principal.kind === 'record' ? request.principal.record.id : undefined;
}
