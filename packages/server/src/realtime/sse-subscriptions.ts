import { createHash } from 'node:crypto';
import {
  AppError,
  isAppError,
  parseJsonDocument,
  parseSubscription,
  validationError,
  type SchemaView,
  type Subscription,
} from '@tandem/core';
import type { SubscriptionOptions } from '@tandem/protocol';

/** PocketBase's bounds on `POST /api/realtime`, with Tandem's tighter string length. */
export const SSE_MAX_SUBSCRIPTIONS = 1000;
export const SSE_MAX_SUBSCRIPTION_LENGTH = 2000;

/** The body of `POST /api/realtime`, checked. */
export interface SseSubscribeBody {
  readonly clientId: string;
  readonly subscriptions: readonly string[];
}

/**
 * One submitted subscription string, parsed. `subscription` is undefined for the topics
 * the SDK may submit that Tandem never publishes to (`PB_CONNECT`, `@oauth2`).
 */
export interface SseSubscription {
  /** The string exactly as submitted: every frame for it names it byte for byte. */
  readonly name: string;
  readonly subscription: Subscription | undefined;
}

/** Checks the body's shape and bounds (400 with field errors otherwise). */
export function toSseSubscribeBody(body: unknown): SseSubscribeBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('BODY_INVALID');
  const { clientId, subscriptions = [] } = body as Record<string, unknown>;
  if (typeof clientId !== 'string' || clientId.length < 1 || clientId.length > 255) {
    throw validationError({
      clientId: { code: 'validation_required', message: 'The client id must be 1 to 255 characters.' },
    });
  }
  const list = subscriptions ?? [];
  if (!Array.isArray(list) || list.length > SSE_MAX_SUBSCRIPTIONS || !list.every(isSubscriptionString)) {
    throw validationError({
      subscriptions: {
        code: 'validation_invalid_subscriptions',
        message: `At most ${SSE_MAX_SUBSCRIPTIONS} subscriptions, each a string of 1 to ${SSE_MAX_SUBSCRIPTION_LENGTH} characters.`,
      },
    });
  }
  return { clientId, subscriptions: [...new Set(list as string[])] };
}

/**
 * Parses every subscription string. As in PocketBase, every topic is accepted: one that
 * names no collection is an application's own topic, and one whose options or filter
 * cannot be parsed is kept without events, so one bad subscription never stops the
 * others (the SDK sends the whole set on every change). The legacy topic `<collection>`
 * means `<collection>/*`.
 */
export function parseSseSubscriptions(schema: SchemaView, names: readonly string[]): SseSubscription[] {
  return names.map((name) => ({ name, subscription: parseOne(schema, name) }));
}

function parseOne(schema: SchemaView, name: string): Subscription | undefined {
  try {
    const { topic, options } = splitSubscriptionString(name);
    if (isUnpublishedTopic(topic)) return undefined;
    const id = subscriptionIdOf(name);
    const collectionTopic = topic.includes('/') || !schema.find(topic) ? topic : `${topic}/*`;
    return parseSubscription(schema, id, collectionTopic, options);
  } catch (error) {
    if (isAppError(error) && error.status < 500) return undefined;
    throw error;
  }
}

/**
 * The id a subscription string has in the broker: a digest, so it stays short and
 * a delivery still in flight for a string the client has since dropped finds no name.
 */
export function subscriptionIdOf(name: string): string {
  return createHash('sha256').update(name).digest('base64url').slice(0, 32);
}

/** Splits `topic?options=<urlencoded JSON {query, headers}>` into the topic and the broker's options. */
export function splitSubscriptionString(name: string): { topic: string; options: SubscriptionOptions } {
  const mark = name.indexOf('?');
  if (mark < 0) return { topic: name, options: {} };
  const raw = new URLSearchParams(name.slice(mark + 1)).get('options');
  return { topic: name.slice(0, mark), options: raw === null ? {} : toSubscriptionOptions(name, raw) };
}

// The SDK lets applications listen to `PB_CONNECT` and submits it with the rest;
// `@oauth2` is the OAuth2 popup flow's topic. Neither carries record changes.
function isUnpublishedTopic(topic: string): boolean {
  return topic === 'PB_CONNECT' || topic.startsWith('@');
}

function toSubscriptionOptions(name: string, raw: string): SubscriptionOptions {
  let parsed: unknown;
  try {
    parsed = parseJsonDocument(raw);
  } catch (error) {
    if (isAppError(error) && error.code === 'JSON_INVALID')
      throw invalid(name, 'The subscription options are not valid JSON.');
    throw error;
  }
  if (!isPlainObject(parsed)) throw invalid(name, 'The subscription options must be a JSON object.');
  const { filter, expand, fields, ...query } = stringValues(name, parsed.query);
  return { filter, expand, fields, query, headers: stringValues(name, parsed.headers) };
}

/** PocketBase reads option values as strings: scalars are stringified, objects become JSON. */
function stringValues(name: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid(name, 'The subscription options "query" and "headers" must be objects.');
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    map[key] = typeof item === 'object' ? JSON.stringify(item) : String(item);
  }
  return map;
}

function isSubscriptionString(value: unknown): value is string {
  // NB: the string becomes an `event:` line of the stream; a line break would forge frames.
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SSE_MAX_SUBSCRIPTION_LENGTH &&
    !/[\r\n\0]/.test(value)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(name: string, message: string): AppError {
  return new AppError('BAD_REQUEST', message, {
    subscriptions: { code: 'validation_invalid_subscription', message, params: { subscription: name.slice(0, 200) } },
  });
}
