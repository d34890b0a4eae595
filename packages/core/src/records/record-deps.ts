import { AppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { Store } from '../store/store.js';
import { QueryTemplate } from '../store/query-template.js';
import type { Sql } from '../sql/sql.js';
import { createRecordCodec, type RecordCodec } from './record-codec.js';
import type { RequestContext, RuleOutcome } from './request-context.js';
import type { RuleName, RuleScope } from './record-rules.js';
import type { FileStorage } from '../files/file-storage.js';
import type { FileEffects } from './record-file-effects.js';

/** What every record action needs. */
export interface RecordDeps {
  readonly store: Store;
  readonly collections: CollectionService;
  readonly now: () => Date;
  /** Where uploaded files are kept; without it an upload is refused (FILE_STORAGE_MISSING). */
  readonly files?: FileStorage;
  /** The file effects of the write in progress (set by withFileEffects, shared by a batch). */
  readonly fileEffects?: FileEffects;
  /** The codec of a collection (cached per definition). */
  codec(collection: Collection): RecordCodec;
  /**
   * A query template of a collection, built once per definition and `shape` key. A
   * changed definition is a new Collection object, so it never meets a stale template.
   * NB: `build` may depend only on the collection's own definition and the dialect.
   */
  template(collection: Collection, shape: string, build: () => Sql): QueryTemplate;
}

/** Builds the dependencies of the record actions, with a codec cache per definition. */
export function createRecordDeps(
  store: Store,
  collections: CollectionService,
  now: () => Date = () => new Date(),
  files?: FileStorage,
): RecordDeps {
  const codecs = new WeakMap<Collection, RecordCodec>();
  const templates = new WeakMap<Collection, Map<string, QueryTemplate>>();
  return {
    store,
    collections,
    now,
    files,
    codec(collection) {
      let codec = codecs.get(collection);
      if (!codec) codecs.set(collection, (codec = createRecordCodec(collection, store.dialect)));
      return codec;
    },
    template(collection, shape, build) {
      let shapes = templates.get(collection);
      if (!shapes) templates.set(collection, (shapes = new Map()));
      let template = shapes.get(shape);
      if (!template) shapes.set(shape, (template = new QueryTemplate(build())));
      return template;
    },
  };
}

/** The alias record queries use for the collection's table. */
export const RECORD_ALIAS = '_t';

/**
 * True when a rule lets this request through without any condition: superusers, and
 * public (`""`) rules. Callers then skip building a rule scope altogether.
 */
export function ruleIsOpen(collection: Collection, request: RequestContext, ruleName: RuleName): boolean {
  if (request.principal.kind === 'superuser') return (traceRule(request, collection, ruleName, 'superuser'), true);
  const rule = collection[ruleName];
  const open = typeof rule === 'string' && rule.trim() === '';
  if (open) traceRule(request, collection, ruleName, 'open');
  return open;
}

/** Reports a rule decision to the request's trace, when someone watches the flow. */
export function traceRule(request: RequestContext, collection: Collection, rule: RuleName, outcome: RuleOutcome): void {
  request.trace?.rule({ collection: collection.name, rule, outcome });
}

/**
 * Throws SUPERUSER_ONLY when the rule is locked (`null`) and the caller is not a
 * superuser. The answer depends on nothing the body holds, so actions call this before
 * any work on the body (a caller who may not write learns nothing from validation).
 */
export function assertRuleUnlocked(collection: Collection, request: RequestContext, ruleName: RuleName): void {
  if (request.principal.kind !== 'superuser' && (collection[ruleName] ?? null) === null) {
    traceRule(request, collection, ruleName, 'locked');
    throw new AppError('SUPERUSER_ONLY');
  }
}

/** A rule scope for a collection and request. */
export function scopeFor(
  deps: RecordDeps,
  collection: Collection,
  request: RequestContext,
  body?: Record<string, unknown>,
): RuleScope {
  return {
    dialect: deps.store.dialect,
    schema: deps.collections,
    collection,
    alias: RECORD_ALIAS,
    request,
    now: deps.now(),
    body,
  };
}
