import type { FastifyInstance } from 'fastify';
import type { CollectionService } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { entityTagOf } from '../http/entity-tags.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { DOCS_PAGE } from './docs-page.js';

interface Rendered {
  readonly json: string;
  readonly etag: string;
}

/**
 * `GET /api/openapi.json`: the OpenAPI document of the current collections, built on
 * first use and again after each schema change (`CollectionService.onChange`), with a
 * strong ETag (the caching hook answers a matching `If-None-Match` with 304).
 * Superusers get their own version (every operation); everyone else the public one.
 * `GET /api/docs`: a self-contained page that renders the document.
 */
export function registerOpenApiRoutes(app: FastifyInstance, collections: CollectionService): void {
  const rendered = new Map<'superuser' | 'public', Rendered>();
  const stop = collections.onChange(() => rendered.clear());
  app.addHook('onClose', (_app, done) => (stop(), done()));
  const documentFor = (audience: 'superuser' | 'public'): Rendered => {
    let found = rendered.get(audience);
    if (!found) {
      const json = JSON.stringify(buildOpenApiDocument(collections.all(), { superuser: audience === 'superuser' }));
      rendered.set(audience, (found = { json, etag: entityTagOf(json) }));
    }
    return found;
  };
  app.get('/api/openapi.json', async (request, reply) => {
    const { json, etag } = documentFor(principalOf(request).kind === 'superuser' ? 'superuser' : 'public');
    return reply.header('content-type', 'application/json; charset=utf-8').header('etag', etag).send(json);
  });
  app.get('/api/docs', async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      )
      .send(DOCS_PAGE),
  );
}
