/**
 * Test-only: the data the gRPC suites share: a public `notes` collection, owner-only
 * `tasks`, a signed-up user and a superuser, each signed in through gRPC's Auth service.
 */
import { call } from '@tandem/server/testing';
import type { GrpcTestServer } from './grpc-test-server.fixture.js';
import { unary } from './grpc-calls.fixture.js';

export const PASSWORD = 'correct horse battery staple';
const OWNER_ONLY = 'owner = @request.auth.id';

/** The collections of the suites. */
export function scenarioCollections(): Record<string, unknown>[] {
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  return [
    {
      name: 'notes',
      ...open,
      fields: [
        { name: 'title', type: 'text', required: true, max: 40 },
        { name: 'stars', type: 'number', onlyInt: true },
        { name: 'done', type: 'bool' },
        { name: 'meta', type: 'json' },
      ],
    },
    {
      name: 'tasks',
      listRule: OWNER_ONLY,
      viewRule: OWNER_ONLY,
      createRule: '@request.auth.id != ""',
      updateRule: OWNER_ONLY,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text', required: true, max: 20 },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    },
  ];
}

/** Who calls: no token, a user's, a superuser's. */
export interface ScenarioPrincipals {
  readonly userId: string;
  readonly tokens: { readonly guest: undefined; readonly user: string; readonly superuser: string };
}

/** Imports the collections, signs a user up over REST and signs both principals in over gRPC. */
export async function seedScenario(s: GrpcTestServer, authClient: Record<string, any>): Promise<ScenarioPrincipals> {
  await s.t.collections.import(scenarioCollections());
  const email = 'grpc-user@example.com';
  const signup = await call(s.t, 'POST', '/api/collections/users/records', {
    email,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });
  await s.t.auth.upsertSuperuser('root@example.com', PASSWORD);
  const user = await unary(authClient, 'AuthWithPassword', {
    collection: 'users',
    identity: email,
    password: PASSWORD,
  });
  const root = await unary(authClient, 'AuthWithPassword', {
    collection: '_superusers',
    identity: 'root@example.com',
    password: PASSWORD,
  });
  if (!user.ok || !root.ok) throw new Error(`sign-in failed: ${JSON.stringify([user, root])}`);
  return { userId: signup.body.id, tokens: { guest: undefined, user: user.value.token, superuser: root.value.token } };
}
