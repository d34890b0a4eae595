import type { RealtimeCredential } from './realtime-broker.js';

/** What one instance asks of the instance that holds a realtime client. */
export type RelayRequest =
  /** A message on a topic without record changes (the OAuth2 popup's `@oauth2`). */
  | { readonly kind: 'topic'; readonly topic: string; readonly data: unknown }
  /** PocketBase's `POST /api/realtime`: the new subscriptions, and the POST's credential. */
  | { readonly kind: 'subscribe'; readonly subscriptions: readonly string[]; readonly credential?: RealtimeCredential };

/** The outcome, as the holding instance saw it: done, or the error to answer with. */
export type RelayAnswer =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly data?: unknown };

/** Handles the requests of one kind for clients held here. */
export type RelayHandler = (clientId: string, request: RelayRequest) => Promise<RelayAnswer>;

/**
 * Reaches a realtime client wherever its connection is. Behind a load balancer without
 * sticky sessions, the SDK's `POST /api/realtime` (and the OAuth2 provider's redirect)
 * may land on another instance than the one holding the client's stream: that instance
 * forwards the request, and the holder answers. Client ids begin with their instance's
 * `clientIdPrefix`, so a request goes to one instance, not to all.
 */
export interface RealtimeRelay {
  /** The prefix of the ids of the clients connected to this instance. */
  readonly clientIdPrefix: string;
  /** Forwards `request` to the instance holding `clientId`; undefined when no instance answered. */
  forward(clientId: string, request: RelayRequest): Promise<RelayAnswer | undefined>;
  /** Handles requests of `kind` addressed to this instance; returns the function that stops. */
  serve(kind: RelayRequest['kind'], handler: RelayHandler): () => void;
}
