import type { Collection } from '@tandem/core';
import { authPaths } from './auth-paths.js';
import { recordPaths, type Audience } from './collection-paths.js';
import { sharedComponents } from './openapi-components.js';

/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

/**
 * Builds the OpenAPI 3.1 document of the records and auth APIs from the live
 * collections. Hidden fields, passwords and token keys never appear in a schema; for
 * anyone but a superuser, operations whose rule is `null` (superusers only) are left out.
 * @example const document = buildOpenApiDocument(collections.all(), { superuser: false });
 */
export function buildOpenApiDocument(collections: readonly Collection[], audience: Audience): OpenApiDocument {
  const components = sharedComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  const tags: Array<{ name: string; description: string }> = [];
  for (const collection of [...collections].sort((a, b) => a.name.localeCompare(b.name))) {
    const parts = [recordPaths(collection, audience), ...(collection.type === 'auth' ? [authPaths(collection)] : [])];
    if (parts.every((part) => Object.keys(part.paths).length === 0)) continue;
    tags.push({ name: collection.name, description: `${collection.type} collection ${collection.id}` });
    for (const part of parts) Object.assign(paths, part.paths), Object.assign(components.schemas, part.schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tandem API',
      version: '1',
      description:
        'Records and auth endpoints, generated from the current collections. Every JSON body and answer ' +
        'also exists as application/xml (send Accept: application/xml); the mapping is in docs/api.md#xml.',
    },
    servers: [{ url: '/' }],
    security: [{}, { bearerAuth: [] }, { sessionCookie: [] }],
    tags,
    paths,
    components,
  };
}
