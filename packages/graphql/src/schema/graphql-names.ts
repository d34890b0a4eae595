import type { Collection, FieldDef } from '@tandem/core';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Type names the schema itself uses; a collection whose type name would be one of them is left out. */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'JSON',
  'DateTime',
  'AuthRefresh',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
]);

/** True for a name GraphQL accepts as a field or argument name (and that does not start with `__`). */
export function isGraphqlName(name: string): boolean {
  return NAME.test(name) && !name.startsWith('__');
}

/** The type name of a collection: PascalCase of its name (`posts` → `Posts`, `blog_posts` → `BlogPosts`). */
export function typeNameOf(collection: Collection): string {
  return collection.name
    .split(/[^0-9A-Za-z]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** The back-relation field name of `field` of `owner`: `<collection>_via_<field>`, as in expand. */
export function backRelationName(owner: Collection, field: FieldDef): string {
  return `${owner.name}_via_${field.name}`;
}
