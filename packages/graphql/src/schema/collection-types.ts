import {
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import type { Collection, FieldDef, RecordJson } from '@tandem/core';
import type { GraphqlContext } from '../resolve/graphql-context.js';
import { backRelationResolver, relationResolver } from '../resolve/relation-resolvers.js';
import { inputTypeOf, isListField, outputTypeOf } from './field-types.js';
import { backRelationName, isGraphqlName } from './graphql-names.js';

/** The GraphQL types of one collection. */
export interface CollectionTypes {
  readonly collection: Collection;
  readonly record: GraphQLObjectType;
  readonly list: GraphQLObjectType;
  readonly event: GraphQLObjectType;
  readonly createInput?: GraphQLInputObjectType;
  readonly updateInput?: GraphQLInputObjectType;
  readonly auth?: GraphQLObjectType;
}

/** Finds the types of a collection by id (relations point at other collections' types). */
export type TypeLookup = (collectionId: string) => CollectionTypes | undefined;

type Fields = GraphQLFieldConfigMap<RecordJson, GraphqlContext>;

/** Auth fields a client writes but never reads back. */
const WRITE_ONLY_AUTH = ['password', 'passwordConfirm', 'oldPassword'];

/** Builds every type of a collection; relation fields are thunks, so collections may point at each other. */
export function buildCollectionTypes(
  collection: Collection,
  typeName: string,
  all: readonly Collection[],
  lookup: TypeLookup,
): CollectionTypes {
  const record = new GraphQLObjectType<RecordJson, GraphqlContext>({
    name: typeName,
    description: `A record of \`${collection.name}\`.`,
    fields: () => ({
      ...plainFields(collection),
      ...relationFields(collection, lookup),
      ...backFields(collection, all, lookup),
    }),
  });
  const list = new GraphQLObjectType({
    name: `${typeName}List`,
    description: `A page of \`${collection.name}\` records.`,
    fields: {
      page: { type: new GraphQLNonNull(GraphQLInt) },
      perPage: { type: new GraphQLNonNull(GraphQLInt) },
      totalItems: { type: new GraphQLNonNull(GraphQLInt), description: '-1 when skipTotal was asked for.' },
      totalPages: { type: new GraphQLNonNull(GraphQLInt), description: '-1 when skipTotal was asked for.' },
      items: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(record))) },
    },
  });
  const event = new GraphQLObjectType({
    name: `${typeName}Event`,
    description: `A change of a \`${collection.name}\` record the subscriber may see.`,
    fields: {
      action: { type: new GraphQLNonNull(GraphQLString), description: '`create`, `update`, `delete` or `leave`.' },
      seq: {
        type: new GraphQLNonNull(GraphQLString),
        description: 'The change-log position; pass it as `since` to resume.',
      },
      record: { type: new GraphQLNonNull(record), description: 'The record (only `id` for `leave`).' },
    },
  });
  const writable = collection.type !== 'view';
  return {
    collection,
    record,
    list,
    event,
    createInput: writable ? inputType(`${typeName}CreateInput`, collection, true) : undefined,
    updateInput: writable ? inputType(`${typeName}UpdateInput`, collection, false) : undefined,
    auth: collection.type === 'auth' ? authType(typeName, record) : undefined,
  };
}

function plainFields(collection: Collection): Fields {
  const fields: Fields = {
    id: { type: new GraphQLNonNull(GraphQLID) },
    collectionId: { type: GraphQLString },
    collectionName: { type: GraphQLString },
  };
  for (const field of readable(collection))
    if (field.type !== 'relation') fields[field.name] = { type: outputTypeOf(field) };
  return fields;
}

function relationFields(collection: Collection, lookup: TypeLookup): Fields {
  const fields: Fields = {};
  for (const field of readable(collection)) {
    const target = field.type === 'relation' ? lookup(field.collectionId ?? '') : undefined;
    if (!target) continue;
    const many = isListField(field);
    const type = many ? new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(target.record))) : target.record;
    fields[field.name] = { type, resolve: relationResolver(field.name, target.collection.id, many) };
  }
  return fields;
}

function backFields(collection: Collection, all: readonly Collection[], lookup: TypeLookup): Fields {
  const fields: Fields = {};
  for (const owner of all) {
    const ownerTypes = lookup(owner.id);
    if (!ownerTypes) continue;
    for (const field of owner.fields) {
      const name = backRelationName(owner, field);
      if (field.type !== 'relation' || field.collectionId !== collection.id || !isGraphqlName(name)) continue;
      fields[name] = {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(ownerTypes.record))),
        resolve: backRelationResolver(owner.id, field.name),
      };
    }
  }
  return fields;
}

function inputType(name: string, collection: Collection, create: boolean): GraphQLInputObjectType {
  return new GraphQLInputObjectType({
    name,
    fields: () => {
      const fields: GraphQLInputFieldConfigMap = create ? { id: { type: GraphQLID } } : {};
      for (const field of collection.fields)
        if (isGraphqlName(field.name) && field.type !== 'autodate' && field.name !== 'id' && field.name !== 'tokenKey')
          fields[field.name] = { type: inputTypeOf(field) };
      if (collection.type === 'auth')
        for (const name of WRITE_ONLY_AUTH) if (!fields[name]) fields[name] = { type: GraphQLString };
      return fields;
    },
  });
}

function authType(typeName: string, record: GraphQLObjectType): GraphQLObjectType {
  return new GraphQLObjectType({
    name: `${typeName}Auth`,
    description: 'A signed-in record and its token.',
    fields: {
      token: { type: new GraphQLNonNull(GraphQLString) },
      record: { type: new GraphQLNonNull(record) },
    },
  });
}

/** Fields a record's JSON may hold: not passwords, not tokenKey, and with a name GraphQL accepts. */
function readable(collection: Collection): FieldDef[] {
  return collection.fields.filter(
    (f) => f.name !== 'id' && f.type !== 'password' && f.name !== 'tokenKey' && isGraphqlName(f.name),
  );
}
