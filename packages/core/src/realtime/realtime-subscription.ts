import type { SubscriptionOptions } from '@tandem/protocol';
import { AppError } from '../errors/app-error.js';
import { parseFields, type PickTree } from '../json/fields-picker.js';
import { parseExpand, type ExpandTree } from '../records/record-expand.js';
import { parseFilter, type FilterNode } from '../filter/index.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';
import { assertRealtimeFilterCost } from './realtime-filter-cost.js';

const MAX_TOPIC_LENGTH = 300;
const MAX_OPTION_ENTRIES = 50;

/**
 * One subscription of one client: `collection/*` (the list rule applies) or
 * `collection/<id>` (the view rule applies), with its options parsed once. Any other
 * topic is an application's own (PocketBase accepts every topic): it is kept, and no
 * record change ever matches it; it receives what server code publishes to it.
 */
export interface Subscription {
  readonly id: string;
  readonly topic: string;
  /** The collection watched; '' for an application's own topic. */
  readonly collectionId: string;
  /** The one record watched, or undefined for `*`. */
  readonly recordId: string | undefined;
  readonly filter: FilterNode | undefined;
  readonly filterText: string | undefined;
  readonly expand: ExpandTree;
  readonly expandText: string | undefined;
  readonly fields: PickTree | undefined;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  /** Subscriptions with equal keys get byte-equal payloads for the same viewer class (shared serialization). */
  readonly payloadKey: string;
}

/** Parses and checks a subscription; a bad topic, filter or option is a 400, before anything is stored. */
export function parseSubscription(
  schema: SchemaView,
  id: string,
  topic: string,
  options: SubscriptionOptions = {},
): Subscription {
  if (typeof id !== 'string' || id === '' || id.length > 100)
    throw invalid('The subscription id must be 1 to 100 characters.');
  if (typeof topic !== 'string' || topic.length > MAX_TOPIC_LENGTH) throw invalid('Invalid topic.');
  if (topic === '') throw invalid('A topic is a non-empty string.');
  const [name, recordId, ...rest] = topic.split('/');
  const isRecordTopic = Boolean(name) && Boolean(recordId) && rest.length === 0;
  const collection = isRecordTopic ? schema.find(name!) : undefined;
  if (!collection) return customSubscription(id, topic);
  const filter = textOption(options.filter, 'filter');
  const filterNode = filter ? parseFilter(filter) : undefined;
  if (filterNode) assertRealtimeFilterCost(filterNode, schema, collection);
  const expandText = textOption(options.expand, 'expand');
  const fieldsText = textOption(options.fields, 'fields');
  return {
    id,
    topic,
    collectionId: collection.id,
    recordId: recordId === '*' ? undefined : recordId,
    filter: filterNode,
    filterText: filter,
    expand: parseExpand(expandText),
    expandText,
    fields: fieldsText ? parseFields(fieldsText) : undefined,
    query: stringMap(options.query, 'query'),
    headers: lowerKeys(stringMap(options.headers, 'headers')),
    payloadKey: JSON.stringify([expandText ?? '', fieldsText ?? '']),
  };
}

/** A subscription to an application's own topic: no options apply, no record change matches it. */
function customSubscription(id: string, topic: string): Subscription {
  return {
    id,
    topic,
    collectionId: '',
    recordId: undefined,
    filter: undefined,
    filterText: undefined,
    expand: parseExpand(undefined),
    expandText: undefined,
    fields: undefined,
    query: {},
    headers: {},
    payloadKey: '[]',
  };
}

/** True when a change to this record of this collection concerns the subscription. */
export function subscriptionMatches(subscription: Subscription, collection: Collection, recordId: string): boolean {
  return (
    subscription.collectionId === collection.id &&
    (subscription.recordId === undefined || subscription.recordId === recordId)
  );
}

function textOption(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`The ${name} option must be a string.`);
  return value;
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length > MAX_OPTION_ENTRIES)
    throw invalid(`The ${name} option must be an object of strings.`);
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' || key.length > 100 || item.length > 2000)
      throw invalid(`The ${name} option must be an object of strings.`);
    map[key] = item;
  }
  return map;
}

// Rules read `@request.headers.x_token`: lowercased, `-` → `_`.
function lowerKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key.toLowerCase().replaceAll('-', '_'), value]));
}

function invalid(message: string): AppError {
  return new AppError('BAD_REQUEST', message, { topic: { code: 'validation_invalid_subscription', message } });
}
