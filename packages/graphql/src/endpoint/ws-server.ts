import { type GraphQLError, getOperationAST, parse, type ExecutionArgs } from 'graphql';
import { makeServer, type ConnectionInitMessage, type Server } from 'graphql-ws';
import {
  tokenFromHeader,
  type ActionDispatcher,
  type AuthService,
  type Principal,
  type RealtimeBroker,
  type RealtimeCredential,
  type RequestContext,
} from '@tandem/core';
import { fromAppError, tandemError, toTandemError } from '../errors/graphql-errors.js';
import { checkLimits, queryTooLarge } from '../limits/limit-check.js';
import type { GraphqlLimits } from '../limits/graphql-limits.js';
import { createGraphqlContext, type GraphqlContext } from '../resolve/graphql-context.js';
import { tooManyRelated, type RelationBudget } from '../resolve/record-loaders.js';
import type { TandemSchema } from '../schema/schema-builder.js';
import { maxTokensOf } from './http-handler.js';

/** Who a socket acts for: from the upgrade (cookie session), then from `connection_init`'s `authorization`. */
export type SocketIdentity = {
  principal: Principal;
  credential: RealtimeCredential | undefined;
  authorization?: string;
  /** The ids of the socket's operations that run now (subscriptions, mostly). */
  running?: Set<string>;
  /** What the relation fields of the socket's operations hold at once (see RecordLoaders). */
  relations?: RelationBudget;
  /** Ends the socket of a subscriber that stopped reading (the transport's; see SubscriptionServices). */
  slowConsumer?: () => void;
};

/**
 * Most operations one socket may run at once: an SSE client's bound on subscriptions.
 * Each subscription holds a place in the broker and is checked at every change: one
 * guest socket opened 20,000, which took 280 MB and made every write wait for them.
 */
export const MAX_OPERATIONS_PER_SOCKET = 1000;

/** What the socket server runs on. */
export interface WsServerDeps {
  readonly schema: () => TandemSchema;
  readonly actions: ActionDispatcher;
  readonly limits: GraphqlLimits;
  readonly broker?: RealtimeBroker;
  readonly auth?: Pick<AuthService, 'principalOfToken'>;
}

/**
 * The `graphql-transport-ws` protocol with graphql-ws, independent of any socket library:
 * the transport hands each open socket to `opened`. `connection_init` may carry
 * `{ "authorization": "<token>" }`: a token that does not verify closes the socket with
 * 4403 Forbidden. Operations are held to the same limits as over HTTP.
 */
export function createWsServer(deps: WsServerDeps): Server<SocketIdentity> {
  const maxTokens = maxTokensOf(deps.limits);
  return makeServer<ConnectionInitMessage['payload'], SocketIdentity>({
    schema: () => deps.schema().schema,
    onConnect: async (ctx) => {
      const header = ctx.connectionParams?.authorization;
      if (header === undefined || header === null || header === '') return true;
      const token = typeof header === 'string' ? tokenFromHeader(header) : undefined;
      const principal = token && deps.auth ? await deps.auth.principalOfToken(token) : undefined;
      if (!principal || !token) return false;
      Object.assign(ctx.extra, { principal, credential: { kind: 'token', token }, authorization: header });
      return true;
    },
    onSubscribe: (ctx, id, payload) => {
      const running = (ctx.extra.running ??= new Set());
      if (running.size >= MAX_OPERATIONS_PER_SOCKET) return [tooManyOperations()];
      const tooLarge = queryTooLarge(payload.query, deps.limits);
      if (tooLarge) return [tooLarge];
      let document: ReturnType<typeof parse>;
      try {
        document = parse(payload.query, { maxTokens });
      } catch (error) {
        return [toTandemError(error as GraphQLError)];
      }
      const refused = checkLimits(deps.schema().schema, document, deps.limits, payload.variables ?? {});
      if (refused.length > 0) return refused;
      running.add(id);
      return undefined;
    },
    onComplete: (ctx, id) => void ctx.extra.running?.delete(id),
    context: (ctx, _id, _payload, args) => {
      const realtime = deps.broker && {
        broker: deps.broker,
        credential: ctx.extra.credential,
        slowConsumer: ctx.extra.slowConsumer,
      };
      // NB: one budget for all the socket's operations: a thousand of them, each with a
      // whole budget of its own, could hold a thousand times one answer's relations.
      const relations = (ctx.extra.relations ??= { held: 0 });
      return createGraphqlContext(deps.actions, socketRequest(ctx.extra, args), realtime, relations);
    },
    onError: (ctx, id, _payload, errors) => {
      ctx.extra.running?.delete(id);
      return errors.map((e) => toTandemError(e).toJSON());
    },
    onNext: (_ctx, _id, _payload, args, result) => {
      const { loaders } = args.contextValue as GraphqlContext;
      // The answer goes out now: what its relations held goes back to the socket's budget.
      loaders.release();
      if (loaders.overBudget) return { errors: [fromAppError(tooManyRelated()).toJSON()] };
      return result.errors ? { ...result, errors: result.errors.map((e) => toTandemError(e).toJSON()) } : undefined;
    },
  });
}

/** The request context of one socket operation: rules see `GET` for reads and `POST` for writes, as over HTTP. */
function socketRequest(identity: SocketIdentity, args: ExecutionArgs): RequestContext {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  const headers: Record<string, string> = identity.authorization ? { authorization: identity.authorization } : {};
  return {
    principal: identity.principal,
    method: operation?.operation === 'mutation' ? 'POST' : 'GET',
    headers,
    query: {},
    context: operation?.operation === 'subscription' ? 'realtime' : 'default',
  };
}

function tooManyOperations(): GraphQLError {
  return tandemError(
    'GRAPHQL_LIMIT_EXCEEDED',
    `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run at once on one socket; complete one first.`,
    { data: { limit: 'operations per socket', max: MAX_OPERATIONS_PER_SOCKET } },
  );
}
