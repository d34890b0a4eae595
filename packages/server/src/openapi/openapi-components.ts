import { SESSION_COOKIE } from '../auth/session-cookie.js';
import type { JsonSchema } from './field-schemas.js';

const ref = (path: string) => ({ $ref: path });

/** `$ref` to a component schema. */
export const schemaRef = (name: string) => ref(`#/components/schemas/${name}`);
/** `$ref` to a component parameter. */
export const parameterRef = (name: string) => ref(`#/components/parameters/${name}`);
/** The error responses most operations share. */
export const errorResponses = {
  '400': ref('#/components/responses/Error'),
  '403': ref('#/components/responses/Error'),
  '404': ref('#/components/responses/Error'),
};

const query = (name: string, schema: JsonSchema, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

/** The components every document has: error body, list parameters, security schemes. */
export function sharedComponents(): {
  schemas: Record<string, JsonSchema>;
  parameters: Record<string, unknown>;
  responses: Record<string, unknown>;
  securitySchemes: Record<string, unknown>;
} {
  return {
    schemas: {
      Error: {
        type: 'object',
        properties: {
          status: { type: 'integer' },
          message: { type: 'string' },
          data: { type: 'object', description: 'Per-field errors: `{field: {code, message}}`.' },
          code: { type: 'string', description: "Tandem's stable error code (docs/errors.md)." },
        },
        required: ['status', 'message', 'data', 'code'],
      },
    },
    parameters: {
      page: query('page', { type: 'integer', minimum: 1, default: 1 }, 'Page number, from 1.'),
      perPage: query('perPage', { type: 'integer', minimum: 1, maximum: 1000, default: 30 }, 'Records per page.'),
      sort: query('sort', { type: 'string' }, 'Comma list; `-field` descending.'),
      filter: query('filter', { type: 'string' }, 'A filter expression (docs/filter.md).'),
      expand: query('expand', { type: 'string' }, 'Relations to expand, comma-separated.'),
      fields: query('fields', { type: 'string' }, 'Keys to keep in the answer.'),
      skipTotal: query('skipTotal', { type: 'boolean' }, 'Skip the count: totalItems and totalPages are -1.'),
      recordId: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    },
    responses: { Error: { description: 'An error.', content: { 'application/json': { schema: schemaRef('Error') } } } },
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An auth token (the `Bearer ` prefix is optional).',
      },
      sessionCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: SESSION_COOKIE,
        description: 'A cookie session; writes also need the X-CSRF-Token header.',
      },
    },
  };
}

/** A JSON response object. */
export function jsonResponse(description: string, schema: JsonSchema): unknown {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body. */
export function jsonBody(schema: JsonSchema): unknown {
  return { required: true, content: { 'application/json': { schema } } };
}
