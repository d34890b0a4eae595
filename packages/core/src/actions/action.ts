import type { ErrorCode } from '../errors/error-codes.js';
import type { RequestContext } from '../records/request-context.js';
import type { ActionServices } from './action-services.js';

/**
 * What a transport hands an action, in the same shape whatever the wire: the values a
 * REST path names (`collection`, `id`), the query parameters as text, and the parsed
 * body (undefined when there is none). Each action reads what it needs and refuses the
 * rest with a 400.
 */
export interface ActionInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** A cookie session a sign-in opened: transports that can keep one hand it over (HTTP: a cookie); never part of the body. */
export interface SessionGrant {
  readonly id: string;
  readonly csrfToken: string;
  readonly maxAgeSeconds: number;
}

/** An action's answer: an HTTP-equivalent status and a JSON body (null for 204). */
export interface ActionResult {
  readonly status: number;
  readonly body: unknown;
  readonly session?: SessionGrant;
}

/**
 * Who may call an action at all, decided by the dispatcher before the action runs:
 * `anyone` (the action applies the collection's own rules), `superuser` (401 for a
 * guest, 403 for anyone else).
 */
export type ActionAccess = 'anyone' | 'superuser';

/** How the `fields` picker applies to the answer: to the body, to each item of a page, or not at all. */
export type ActionShape = 'one' | 'page' | 'none';

/**
 * A transport-neutral description of one action: its name, who may call it, what it
 * answers and which errors it may raise. Every transport (REST, WebSocket requests,
 * batch, and later GraphQL and gRPC) runs actions only through the dispatcher.
 */
export interface ActionDefinition {
  readonly name: string;
  readonly summary: string;
  readonly access: ActionAccess;
  readonly shape: ActionShape;
  /** The catalogued errors the action itself raises (the dispatcher adds AUTH_REQUIRED/SUPERUSER_ONLY and FIELDS_INVALID). */
  readonly errors: readonly ErrorCode[];
  /** True for the record writes a batch may hold. */
  readonly inBatch?: boolean;
  /** An optional service the action runs on; without it the dispatcher leaves the action out. */
  readonly needs?: 'auth' | 'realtime' | 'outbox' | 'backups' | 'logs' | 'crons';
  run(services: ActionServices, input: ActionInput, request: RequestContext): Promise<ActionResult>;
  /**
   * `run`, answered synchronously when the action can (a read over a synchronous store);
   * undefined: only `run` can answer, and the dispatcher calls it. It must decide and
   * answer exactly as `run` does, and throws what `run` rejects with.
   */
  runNow?(services: ActionServices, input: ActionInput, request: RequestContext): ActionResult | undefined;
}
