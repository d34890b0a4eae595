import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
} from 'graphql';
import type { GraphqlContext } from '../resolve/graphql-context.js';
import {
  createResolver,
  deleteResolver,
  listResolver,
  updateResolver,
  viewResolver,
} from '../resolve/record-resolvers.js';
import { eventOf, subscribeResolver } from '../resolve/subscription-resolvers.js';
import { authRefreshAnyResolver, authRefreshResolver, authWithPasswordResolver } from '../resolve/auth-resolvers.js';
import { JsonScalar } from './scalars.js';
import type { CollectionTypes } from './collection-types.js';

type Fields = GraphQLFieldConfigMap<unknown, GraphqlContext>;
const nonNullString = new GraphQLNonNull(GraphQLString);

/** `posts(…)` and `posts_by_id(id)`. */
export function queryFields(types: CollectionTypes): Fields {
  const { name, id } = types.collection;
  return {
    [name]: {
      type: new GraphQLNonNull(types.list),
      args: {
        filter: { type: GraphQLString },
        sort: { type: GraphQLString },
        page: { type: GraphQLInt },
        perPage: { type: GraphQLInt },
        skipTotal: { type: GraphQLBoolean },
      },
      resolve: listResolver(id),
    },
    [`${name}_by_id`]: {
      type: types.record,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: viewResolver(id),
    },
  };
}

/** `create_posts`, `update_posts`, `delete_posts`, and on auth collections the sign-in mutations. */
export function mutationFields(types: CollectionTypes): Fields {
  const { name, id } = types.collection;
  const fields: Fields = {};
  if (types.createInput && types.updateInput) {
    const recordId = { type: new GraphQLNonNull(GraphQLID) };
    fields[`create_${name}`] = {
      type: new GraphQLNonNull(types.record),
      args: { data: { type: new GraphQLNonNull(types.createInput) } },
      resolve: createResolver(id),
    };
    fields[`update_${name}`] = {
      type: new GraphQLNonNull(types.record),
      args: { id: recordId, data: { type: new GraphQLNonNull(types.updateInput) } },
      resolve: updateResolver(id),
    };
    fields[`delete_${name}`] = {
      type: new GraphQLNonNull(GraphQLBoolean),
      args: { id: recordId },
      resolve: deleteResolver(id),
    };
  }
  if (types.auth) {
    fields[`auth_with_password_${name}`] = {
      type: new GraphQLNonNull(types.auth),
      args: { identity: { type: nonNullString }, password: { type: nonNullString } },
      resolve: authWithPasswordResolver(id),
    };
    fields[`auth_refresh_${name}`] = { type: new GraphQLNonNull(types.auth), resolve: authRefreshResolver(id) };
  }
  return fields;
}

/** `subscription { posts(id, filter, since) }`. */
export function subscriptionFields(types: CollectionTypes): Fields {
  return {
    [types.collection.name]: {
      type: new GraphQLNonNull(types.event),
      args: { id: { type: GraphQLID }, filter: { type: GraphQLString }, since: { type: GraphQLString } },
      subscribe: subscribeResolver(types.collection.id),
      resolve: eventOf as never,
    },
  };
}

/** `{ token record }` of `auth_refresh`, whichever auth collection the caller's token is of. */
const AuthRefreshType = new GraphQLObjectType({
  name: 'AuthRefresh',
  fields: { token: { type: nonNullString }, record: { type: new GraphQLNonNull(JsonScalar) } },
});

/** `mutation { auth_refresh { token record } }`: a new token for the caller's own, in its own collection. */
export const authRefreshField = { type: new GraphQLNonNull(AuthRefreshType), resolve: authRefreshAnyResolver };
