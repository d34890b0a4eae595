import type { Collection } from '@tandem/core';
import { errorResponses, jsonBody, jsonResponse, schemaRef } from './openapi-components.js';
import { recordSchema, type JsonSchema } from './field-schemas.js';
import { schemaNames, type CollectionPaths } from './collection-paths.js';

const string = { type: 'string' };
const emailBody = { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] };

/** The auth endpoints of an auth collection. */
export function authPaths(collection: Collection): CollectionPaths {
  const base = `/api/collections/${collection.name}`;
  const names = schemaNames(collection);
  const authName = `${names.record.replace(/Record$/, '')}Auth`;
  const op = (verb: string, summary: string, rest: Record<string, unknown>) => ({
    post: { operationId: `${collection.name}.${verb}`, tags: [collection.name], summary, ...rest },
  });
  const auth = jsonResponse('A token and the record.', schemaRef(authName));
  const noContent = { '204': { description: 'Done.' }, ...errorResponses };
  const paths: Record<string, Record<string, unknown>> = {
    [`${base}/auth-with-password`]: op('authWithPassword', 'Sign in with an identity and a password', {
      requestBody: jsonBody({
        type: 'object',
        properties: { identity: string, password: { type: 'string', writeOnly: true } },
        required: ['identity', 'password'],
      }),
      responses: { '200': auth, ...errorResponses },
    }),
    [`${base}/auth-refresh`]: op('authRefresh', 'Trade a valid token (or a refresh token) for a new one', {
      security: [{ bearerAuth: [] }, { sessionCookie: [] }, {}],
      requestBody: {
        required: false,
        content: { 'application/json': { schema: { type: 'object', properties: { refreshToken: string } } } },
      },
      responses: { '200': auth, ...errorResponses },
    }),
    [`${base}/request-verification`]: op('requestVerification', 'Mail a verification link', {
      requestBody: jsonBody(emailBody),
      responses: noContent,
    }),
    [`${base}/confirm-verification`]: op('confirmVerification', 'Confirm a verification token', {
      requestBody: jsonBody({ type: 'object', properties: { token: string }, required: ['token'] }),
      responses: noContent,
    }),
    [`${base}/request-password-reset`]: op('requestPasswordReset', 'Mail a password reset link', {
      requestBody: jsonBody(emailBody),
      responses: noContent,
    }),
    [`${base}/confirm-password-reset`]: op('confirmPasswordReset', 'Set a new password with a reset token', {
      requestBody: jsonBody({
        type: 'object',
        properties: {
          token: string,
          password: { type: 'string', writeOnly: true },
          passwordConfirm: { type: 'string', writeOnly: true },
        },
        required: ['token', 'password', 'passwordConfirm'],
      }),
      responses: noContent,
    }),
  };
  paths[`${base}/auth-methods`] = {
    get: {
      operationId: `${collection.name}.authMethods`,
      tags: [collection.name],
      summary: 'The sign-in methods this collection offers',
      responses: { '200': jsonResponse('The methods.', { type: 'object' }), ...errorResponses },
    },
  };
  const schemas: Record<string, JsonSchema> = {
    [names.record]: recordSchema(collection),
    [authName]: {
      type: 'object',
      properties: { token: string, record: schemaRef(names.record), refreshToken: string, csrfToken: string },
      required: ['token', 'record'],
    },
  };
  return { paths, schemas };
}
