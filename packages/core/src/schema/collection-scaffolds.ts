import { fieldIdFor } from './collection-ids.js';
import { idFieldDef } from './fields/text-field.js';

/** A collection template: collection JSON with an empty name, as a client starts from it. */
export type CollectionScaffold = Record<string, unknown>;

/**
 * The templates `GET /api/collections/meta/scaffolds` serves, one per collection type,
 * with the fields a new collection of that type starts with (PocketBase's shape: base
 * gets id and the created/updated autodates; auth adds the system auth fields and its
 * auth options; view has a query and no stored fields). Data only: a fresh copy each call.
 */
export function collectionScaffolds(): Record<'base' | 'auth' | 'view', CollectionScaffold> {
  return { auth: authScaffold(), base: baseScaffold(), view: viewScaffold() };
}

function common(type: string, fields: Record<string, unknown>[]): CollectionScaffold {
  return {
    id: '',
    name: '',
    type,
    system: false,
    fields,
    indexes: [],
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    created: '',
    updated: '',
  };
}

function field(name: string, type: string, options: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: fieldIdFor(type, name),
    name,
    type,
    system: false,
    hidden: false,
    presentable: false,
    required: false,
    ...options,
  };
}

function autodates(): Record<string, unknown>[] {
  return [
    field('created', 'autodate', { onCreate: true, onUpdate: false }),
    field('updated', 'autodate', { onCreate: true, onUpdate: true }),
  ];
}

function baseScaffold(): CollectionScaffold {
  return common('base', [{ ...idFieldDef() }, ...autodates()]);
}

function viewScaffold(): CollectionScaffold {
  return { ...common('view', []), viewQuery: '' };
}

function authScaffold(): CollectionScaffold {
  const system = { system: true };
  return {
    ...common('auth', [
      { ...idFieldDef() },
      field('password', 'password', { ...system, hidden: true, required: true, min: 8, max: 0, pattern: '', cost: 0 }),
      field('tokenKey', 'text', {
        ...system,
        hidden: true,
        required: true,
        min: 30,
        max: 60,
        pattern: '',
        autogeneratePattern: '[a-zA-Z0-9]{50}',
      }),
      field('email', 'email', { ...system, required: true, exceptDomains: null, onlyDomains: null }),
      field('emailVisibility', 'bool', system),
      field('verified', 'bool', system),
      ...autodates(),
    ]),
    authRule: '',
    manageRule: null,
    passwordAuth: { enabled: true, identityFields: ['email'] },
    oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
    mfa: { enabled: false, duration: 1800, rule: '' },
    otp: { enabled: false, duration: 180, length: 8 },
    authAlert: { enabled: true },
    authToken: { duration: 604800 },
    passwordResetToken: { duration: 1800 },
    emailChangeToken: { duration: 1800 },
    verificationToken: { duration: 259200 },
    fileToken: { duration: 180 },
  };
}
