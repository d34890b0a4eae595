/**
 * Test-only: a PrincipalResolver keyed by fixed Authorization values, so scenario
 * tables can ask as a superuser, as a user or as a guest without real tokens.
 */
import { guest, superuser, type Collection, type Principal } from '@tandem/core';
import type { PrincipalResolver } from '../auth/request-principal.js';

/** Authorization header values the test resolver knows. */
export const testTokens = { superuser: 'test-superuser-token', user: 'test-user-token' } as const;

/** Request headers that make a scenario a superuser's or a user's request. */
export const asSuperuser = { authorization: testTokens.superuser } as const;
export const asUser = { authorization: testTokens.user } as const;

/** A minimal auth collection for the fake user (never stored). */
export const testUsersCollection: Collection = {
  id: '_pb_users_auth_',
  name: 'users',
  type: 'auth',
  system: false,
  indexes: [],
  created: '',
  updated: '',
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [
    { id: 'text3208210256', name: 'id', type: 'text', system: true, hidden: false, presentable: false, required: true },
  ],
};

/** The user principal behind `asUser`. */
export const testUser: Principal = {
  kind: 'record',
  collection: testUsersCollection,
  record: { id: 'testuser0000001', email: 'user@example.com' },
};

/** Maps `testTokens.superuser` to a superuser, `testTokens.user` to `testUser`, anything else to a guest. */
export const testPrincipalResolver: PrincipalResolver = (request) => {
  const token = request.headers.authorization;
  if (token === testTokens.superuser) return superuser('testsuperuser01');
  if (token === testTokens.user) return testUser;
  return guest;
};
