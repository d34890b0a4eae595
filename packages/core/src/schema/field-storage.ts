import type { ColumnKind } from '../store/dialect.js';
import type { FieldDef } from './collection.js';

/** True for fields that hold a list of values (select, relation or file with maxSelect > 1). */
export function isMultiValued(field: FieldDef): boolean {
  return (field.type === 'select' || field.type === 'relation' || field.type === 'file') && (field.maxSelect ?? 1) > 1;
}

/** How a field's value is kept in its column (see ColumnKind). */
export function columnKindOf(field: FieldDef): ColumnKind {
  switch (field.type) {
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'json':
    case 'geoPoint':
      return 'json';
    case 'select':
    case 'relation':
    case 'file':
      return isMultiValued(field) ? 'list' : 'text';
    default:
      return 'text';
  }
}
