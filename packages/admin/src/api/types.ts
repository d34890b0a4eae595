/** A field of a collection, as the collections API serves it. */
export interface FieldModel {
  id?: string;
  name: string;
  type: string;
  system?: boolean;
  hidden?: boolean;
  required?: boolean;
  [option: string]: unknown;
}

/** The five record rules: null is locked (superusers only), "" is open to everyone. */
export const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

/** A collection, as the collections API serves it. */
export interface CollectionModel extends Record<RuleKey, string | null> {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system: boolean;
  fields: FieldModel[];
  indexes: string[];
  [key: string]: unknown;
}

/** The field types the server knows, with the options each form shows. */
export const FIELD_TYPES = [
  'text',
  'number',
  'bool',
  'email',
  'url',
  'date',
  'autodate',
  'select',
  'json',
  'relation',
  'file',
  'editor',
  'geoPoint',
] as const;
