import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from 'graphql';
import type { FieldDef } from '@tandem/core';
import { DateTimeScalar, JsonScalar } from './scalars.js';

/** The scalar a field's value maps to (relations are ids here; their object types are resolved elsewhere). */
function scalarOf(field: FieldDef): GraphQLScalarType {
  switch (field.type) {
    case 'number':
      return GraphQLFloat;
    case 'bool':
      return GraphQLBoolean;
    case 'date':
    case 'autodate':
      return DateTimeScalar;
    case 'json':
    case 'geoPoint':
      return JsonScalar;
    case 'relation':
      return GraphQLID;
    default:
      return GraphQLString;
  }
}

/** True for select and relation fields that hold a list (maxSelect > 1). */
export function isListField(field: FieldDef): boolean {
  return (field.type === 'select' || field.type === 'relation' || field.type === 'file') && (field.maxSelect ?? 1) > 1;
}

/** The output type of a non-relation field; null values are allowed (hidden fields read as null). */
export function outputTypeOf(field: FieldDef): GraphQLOutputType {
  const scalar = scalarOf(field);
  return isListField(field) ? new GraphQLList(new GraphQLNonNull(scalar)) : scalar;
}

/**
 * The input type of a field in create and update inputs. Nothing is non-null: required,
 * min, max and the rest are checked by the field type in core, with the same errors as REST.
 */
export function inputTypeOf(field: FieldDef): GraphQLInputType {
  const scalar = scalarOf(field);
  return isListField(field) ? new GraphQLList(new GraphQLNonNull(scalar)) : scalar;
}
