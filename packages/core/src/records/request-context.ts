import type { RequestHeaders } from '../filter/filter-context.js';
import type { Principal } from '../schema/principal.js';
import type { StoreTiming } from '../store/timed-store.js';

/**
 * What a transport knows of the request an action serves; rules read it through
 * `@request.*`. NB: a transport builds one per request, so it is a plain object of data
 * properties. An accessor in an object literal (a lazy `get headers()`) made V8 build
 * each object through its runtime, about a microsecond, and keep it reachable from the
 * old generation until the next full collection, with the HTTP request it closed over.
 */
export interface RequestContext {
  readonly principal: Principal;
  readonly method: string;
  /**
   * The headers as the transport has them (HTTP's as Node parses them, not copied): rules
   * read them with names lowercased and `-` turned into `_` (see ruleHeaders).
   */
  readonly headers: RequestHeaders;
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
  /**
   * Where the record actions report their rule decisions while someone watches the
   * request flow (the admin UI's Flow page); absent otherwise, so the common path pays
   * one property read.
   */
  readonly trace?: RequestTrace;
  /**
   * What is left of the JSON one answer's expands may write, shared by the parts of an
   * answer that expand separately (a batch's items); absent: each expand has the whole
   * bound (MAX_EXPANDED_JSON).
   */
  readonly expandBudget?: { left: number };
}

/**
 * How a rule decided for one request: bypassed by a superuser, open (`""`), applied as a
 * condition (rows it does not match are left out or answered 404), or locked (refused).
 * It names the rule, never the data it hid.
 */
export type RuleOutcome = 'superuser' | 'open' | 'condition' | 'locked';

/** One rule decision of a request. */
export interface RuleDecision {
  readonly collection: string;
  readonly rule: string;
  readonly outcome: RuleOutcome;
}

/** Collects what core decided for one request, for a watcher of the request flow. */
export interface RequestTrace {
  rule(decision: RuleDecision): void;
}

/** A request context for code that acts outside any transport (CLI, tests). */
export function internalRequest(principal: Principal, method = 'GET'): RequestContext {
  return { principal, method, headers: {}, query: {}, context: 'default' };
}

/** The id of the auth record asking, for "is this my own record" decisions (email visibility). */
export function viewerIdOf(request: RequestContext): string | undefined {
  return request.principal.kind === 'record' ? request.principal.record.id : undefined;
}
