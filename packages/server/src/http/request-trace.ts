import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestTrace, RuleDecision } from '@tandem/core';
import type { ResponseMeta } from './response-meta.js';

/** Rule decisions kept per request: a batch may make many, and a watcher needs only the gist. */
const MAX_RULES = 32;

/**
 * What one request reports to the Flow stream beyond its Server-Timing: when it reached
 * its handler, how long the principal took to resolve, and the rules core applied. It
 * exists only while someone watches (see RequestTracer).
 */
export class HttpTrace implements RequestTrace {
  readonly rules: RuleDecision[] = [];
  /** `performance.now()` when the route handler began (the end of the edge phases). */
  handlerAt: number | undefined;
  /** Milliseconds spent resolving a token or session cookie to a principal. */
  authMs: number | undefined;

  rule(decision: RuleDecision): void {
    if (this.rules.length < MAX_RULES) this.rules.push(decision);
  }
}

/**
 * The switch the edge checks on every request: while `watching` is false a request gets
 * no trace and costs this one boolean read; while true, `finish` hears of each answer.
 */
export interface RequestTracer {
  readonly watching: boolean;
  /**
   * Read while `watching`, once per request: true when this request is to be traced.
   * False past the watchers' rate (the request is counted as dropped and costs no more).
   */
  admit(): boolean;
  /** Called once per traced request, as its answer leaves (onSend), with the bytes it sends. */
  finish(request: FastifyRequest, reply: FastifyReply, meta: ResponseMeta, payload: unknown): void;
}

/** A tracer nobody ever watches (apps built without the Flow stream). */
export const idleTracer: RequestTracer = Object.freeze({
  watching: false,
  admit: () => false,
  finish: () => undefined,
});
