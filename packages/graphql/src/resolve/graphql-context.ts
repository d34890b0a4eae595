import type { ActionDispatcher, RealtimeBroker, RealtimeCredential, RequestContext } from '@tandem/core';
import { RecordLoaders, type RelationBudget } from './record-loaders.js';

/** What subscriptions need: the broker, and the credential the socket proved (rechecked on changes). */
export interface SubscriptionServices {
  readonly broker: RealtimeBroker;
  readonly credential: RealtimeCredential | undefined;
  /** Ends the socket of a subscriber that stopped reading (the transport closes it, as a slow consumer). */
  readonly slowConsumer?: () => void;
}

/**
 * The context of one GraphQL operation: who asks (as core's RequestContext), the one
 * action dispatcher every resolver calls, and loaders that batch relation reads for this
 * operation only (so nothing is shared between callers).
 */
export interface GraphqlContext {
  readonly request: RequestContext;
  readonly actions: ActionDispatcher;
  readonly loaders: RecordLoaders;
  readonly realtime?: SubscriptionServices;
}

/** A fresh context for one operation. */
export function createGraphqlContext(
  actions: ActionDispatcher,
  request: RequestContext,
  realtime?: SubscriptionServices,
  relations?: RelationBudget,
): GraphqlContext {
  return { request, actions, loaders: new RecordLoaders(actions, request, relations), realtime };
}
