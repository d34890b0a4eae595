/**
 * Test-only: a Tandem app with the GraphQL endpoint, and a small client that speaks
 * GraphQL over `inject` the way REST tests use `call`.
 */
import { internalRequest, superuser, type DialectName } from '@tandem/core';
import { call, createTestApp, type TestApp } from '@tandem/server/testing';
import type { ServerOptions } from '@tandem/server';
import { GraphqlEndpoint } from '../endpoint/graphql-endpoint.js';
import type { GraphqlLimits } from '../limits/graphql-limits.js';

/** A test app with its GraphQL endpoint. */
export interface GraphqlTestApp extends TestApp {
  readonly graphql: GraphqlEndpoint;
}

/** Starts an in-process app with `/api/graphql` on a fresh database. */
export async function createGraphqlTestApp(
  dialect: DialectName,
  limits: Partial<GraphqlLimits> = {},
  options: Partial<ServerOptions> = {},
): Promise<GraphqlTestApp> {
  let graphql: GraphqlEndpoint | undefined;
  const t = await createTestApp(dialect, options, undefined, undefined, (core) => {
    graphql = new GraphqlEndpoint(core, limits);
    return graphql;
  });
  const endpoint = graphql!;
  return {
    ...t,
    graphql: endpoint,
    cleanup: async () => {
      endpoint.close();
      await t.cleanup();
    },
  };
}

/** A GraphQL answer: HTTP status, the parsed body, headers. */
export interface GraphqlAnswer {
  readonly status: number;
  readonly body: { data?: any; errors?: any[] } & Record<string, any>;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly raw: string;
}

/** POSTs one GraphQL request in-process. */
export async function gql(
  t: TestApp,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/graphql',
    payload: JSON.stringify({ query, variables }),
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
  });
  return toAnswer(response);
}

/** Sends one GraphQL query by GET in-process. */
export async function gqlGet(
  t: TestApp,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const params = new URLSearchParams({ query });
  if (variables) params.set('variables', JSON.stringify(variables));
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/graphql?${params}`,
    headers: { accept: 'application/graphql-response+json', ...headers },
  });
  return toAnswer(response);
}

function toAnswer(response: { statusCode: number; body: string; headers: GraphqlAnswer['headers'] }): GraphqlAnswer {
  const raw = response.body;
  let body: GraphqlAnswer['body'] = {};
  try {
    body = raw ? JSON.parse(raw) : {};
  } catch {
    body = {};
  }
  return { status: response.statusCode, body, headers: response.headers, raw };
}

/** The `extensions.code` of each error of an answer. */
export function errorCodes(answer: GraphqlAnswer): string[] {
  return (answer.body.errors ?? []).map((e: any) => e.extensions?.code);
}

const SUPERUSER_PASSWORD = 'superuser password 0123';

/** Creates a superuser and signs it in over REST; returns its token. */
export async function superuserToken(t: TestApp, email = 'root@example.com'): Promise<string> {
  const body = { email, password: SUPERUSER_PASSWORD, passwordConfirm: SUPERUSER_PASSWORD };
  await t.records.create('_superusers', body, {}, internalRequest(superuser()));
  const login = await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
    identity: email,
    password: SUPERUSER_PASSWORD,
  });
  if (login.status !== 200) throw new Error(`superuser sign-in failed: ${login.raw}`);
  return login.body.token;
}
