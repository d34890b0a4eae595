/** The id of the superusers collection, fixed by PocketBase's SDK (`authStore.isSuperuser`). */
export const SUPERUSERS_ID = 'pbc_3142635823';
/** The name of the superusers collection. */
export const SUPERUSERS_NAME = '_superusers';
/** The id of the default users collection. */
export const USERS_ID = '_pb_users_auth_';

const autodates = [
  { id: 'autodate2990389176', name: 'created', type: 'autodate', system: true, onCreate: true, onUpdate: false },
  { id: 'autodate3332085495', name: 'updated', type: 'autodate', system: true, onCreate: true, onUpdate: true },
];

/** The `_superusers` collection: locked rules, day-long tokens, no refresh tokens by default. */
export function superusersDefinition(): Record<string, unknown> {
  return {
    id: SUPERUSERS_ID,
    name: SUPERUSERS_NAME,
    type: 'auth',
    system: true,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    authToken: { duration: 86_400 },
    fields: autodates,
  };
}

/** The default `users` collection, created once on first start (deleting it later is allowed). */
export function usersDefinition(): Record<string, unknown> {
  const owner = 'id = @request.auth.id';
  return {
    id: USERS_ID,
    name: 'users',
    type: 'auth',
    listRule: owner,
    viewRule: owner,
    createRule: '',
    updateRule: owner,
    deleteRule: owner,
    fields: [{ id: 'text1579384326', name: 'name', type: 'text', max: 255 }, ...autodates],
  };
}
