/** Field types Tandem knows; one file each under schema/fields/. */
export type FieldTypeName =
  | 'text' | 'number' | 'bool' | 'email' | 'url' | 'date' | 'autodate'
  | 'select' | 'json' | 'relation' | 'password';

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
  // json
  maxSize?: number;
  // relation
  collectionId?: string;
  minSelect?: number;
  cascadeDelete?: boolean;
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

/** A collection as stored and as served in collection JSON. */
export interface Collection extends CollectionRules {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system: boolean;
  fields: FieldDef[];
  indexes: string[];
  created: string;
  updated: string;
}

/** Finds a field by name. */
export function findField(collection: Collection, name: string): FieldDef | undefined {
  return collection.fields.find((f) => f.name === name);
}
