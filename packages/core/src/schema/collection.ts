import type { OAuth2Options } from './oauth2-options.js';

/** Field types Tandem knows; one file each under schema/fields/. */
export type FieldTypeName =
  | 'text'
  | 'number'
  | 'bool'
  | 'email'
  | 'url'
  | 'date'
  | 'autodate'
  | 'select'
  | 'json'
  | 'relation'
  | 'file'
  | 'password'
  | 'editor'
  | 'geoPoint';

/**
 * A field as it appears in collection JSON (PocketBase's shape: options flattened
 * beside the common keys). Type-specific options are optional here and validated by
 * the field type.
 */
export interface FieldDef {
  id: string;
  name: string;
  type: FieldTypeName;
  system: boolean;
  hidden: boolean;
  presentable: boolean;
  required: boolean;
  // text
  min?: number | string | null;
  max?: number | string | null;
  pattern?: string;
  autogeneratePattern?: string;
  primaryKey?: boolean;
  // number
  onlyInt?: boolean;
  // select
  values?: string[];
  maxSelect?: number;
  // json, editor (and file)
  maxSize?: number;
  // editor: kept for PocketBase's admin UI, no effect in Tandem
  convertURLs?: boolean;
  // relation
  collectionId?: string;
  minSelect?: number;
  cascadeDelete?: boolean;
  // file (maxSelect and maxSize above)
  mimeTypes?: string[];
  thumbs?: string[];
  protected?: boolean;
  // autodate
  onCreate?: boolean;
  onUpdate?: boolean;
  // email, url
  exceptDomains?: string[];
  onlyDomains?: string[];
}

/** A rule: null = superusers only, "" = anyone, otherwise a filter expression. */
export type Rule = string | null;

/** The five record rules every collection has. */
export interface CollectionRules {
  listRule: Rule;
  viewRule: Rule;
  createRule: Rule;
  updateRule: Rule;
  deleteRule: Rule;
}

/** The lifetime and signing secret of one kind of token. The secret never leaves the server. */
export interface TokenConfig {
  duration: number;
  secret: string;
}

/**
 * The options of an `auth` collection, in PocketBase's shape (flattened beside the
 * rules), plus Tandem's `refreshToken` and `session` settings.
 */
export interface AuthOptions {
  /** Checked after a successful credential check; failing it is a 403. */
  authRule: Rule;
  /** Lets a caller change other records' email, verified and password without oldPassword. */
  manageRule: Rule;
  passwordAuth: { enabled: boolean; identityFields: string[] };
  otp: { enabled: boolean; duration: number; length: number };
  mfa: { enabled: boolean; duration: number; rule: string };
  /** OAuth2 / OpenID Connect sign-in: the providers and the fields a new record takes from them. */
  oauth2: OAuth2Options;
  authToken: TokenConfig;
  passwordResetToken: TokenConfig;
  emailChangeToken: TokenConfig;
  verificationToken: TokenConfig;
  fileToken: TokenConfig;
  /** Rotating refresh tokens: their lifetime, the reuse grace window and the access token lifetime that goes with them (seconds). */
  refreshToken: { enabled: boolean; duration: number; reuseInterval: number; accessDuration: number };
  /** Cookie sessions: absolute and idle lifetimes (seconds). */
  session: { enabled: boolean; duration: number; idleTimeout: number };
}

/** A collection as stored and as served in collection JSON. */
export interface Collection extends CollectionRules, Partial<AuthOptions> {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system: boolean;
  fields: FieldDef[];
  indexes: string[];
  /** A view collection's SELECT (type `view` only): its records are the query's rows, read-only. */
  viewQuery?: string;
  /** `false` keeps this collection's answers out of the response cache (see docs/caching.md); absent means cached. */
  cache?: false;
  created: string;
  updated: string;
}

/** An auth collection: every auth option is present. */
export type AuthCollection = Collection & AuthOptions & { type: 'auth' };

/** True for a collection of type `auth`. */
export function isAuthCollection(collection: Collection): collection is AuthCollection {
  return collection.type === 'auth';
}

/** Finds a field by name. */
export function findField(collection: Collection, name: string): FieldDef | undefined {
  return collection.fields.find((f) => f.name === name);
}
