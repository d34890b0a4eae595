export { GraphqlEndpoint, type GraphqlHttpRequest, type GraphqlServices } from './endpoint/graphql-endpoint.js';
export type { QueryParams, QueryReach } from './endpoint/query-reach.js';
export { defaultGraphqlLimits, resolveGraphqlLimits, type GraphqlLimits } from './limits/graphql-limits.js';
export { buildSchema, type TandemSchema } from './schema/schema-builder.js';
