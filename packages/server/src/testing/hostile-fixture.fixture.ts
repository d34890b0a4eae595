/**
 * Test-only: the pieces hostile requests and WebSocket messages are built from, aimed at
 * the blog fixture (blog-fixture.ts). Real collection names, ids, field names and tokens
 * are mixed with hostile ones so that input gets past the first checks into validation,
 * rules, relations and the store.
 */
import fc from 'fast-check';
import { blogCollections, ids } from './blog-fixture.fixture.js';
import {
  deepJsonText,
  hostileString,
  jsonObjectText,
  jsonQuote,
  jsonText,
  longString,
  malformedBody,
  percentEncode,
  PROTOTYPE_KEYS,
  queryString,
  queryValue,
  scalarText,
} from './hostile-values.fixture.js';

/** What the generated input may name: the fixture's user and the tokens of a user and a superuser. */
export interface FuzzTargets {
  readonly userId: string;
  readonly userEmail: string;
  readonly userToken: string;
  readonly superuserToken: string;
}

const COLLECTIONS = ['posts', 'authors', 'comments', 'refs', 'locked', 'drafts', 'users', '_superusers'];
const ODD_COLLECTIONS = [
  'nope',
  '..',
  '%2e%2e',
  'posts%00',
  '%ff',
  '__proto__',
  'constructor',
  'pbc_3142635823',
  'a'.repeat(1001),
];
const FIELD_KEYS = [
  'id',
  'title',
  'body',
  'views',
  'rating',
  'published',
  'tags',
  'status',
  'author',
  'editors',
  'meta',
  'link',
  'contact',
  'publishedAt',
  'slug',
  'created',
  'updated',
  'name',
  'secret',
  'post',
  'by',
  'note',
  'locked',
  'collectionId',
  'collectionName',
  'expand',
];
const MODIFIER_KEYS = [
  'views+',
  'views-',
  '+views',
  'tags+',
  '+tags',
  'tags-',
  'editors+',
  'editors-',
  'title+',
  'meta+',
];
/** Keys of the auth endpoints' bodies. */
export const AUTH_KEYS = [
  'email',
  'password',
  'passwordConfirm',
  'oldPassword',
  'identity',
  'token',
  'refreshToken',
  'otpId',
  'mfaId',
  'newEmail',
  'recordId',
  'duration',
  'verified',
  'emailVisibility',
  'tokenKey',
  'identityField',
];
const BATCH_URLS = [
  '//',
  '/',
  '/api/batch',
  'http://evil.example/x',
  '/api/collections/posts/records/%',
  '/api/collections/%ff/records',
  '\\\\evil',
];
const EXPRESSIONS = [
  'id != ""',
  'views > 1',
  'author.name = "Ada"',
  'comments_via_post.body ?~ "a"',
  'tags:length > 1',
  '@request.auth.id != ""',
  '@collection.posts.title = title',
  'meta.lang = "en"',
  '(((((views)))))',
  `${'('.repeat(500)}1${')'.repeat(500)}`,
];

/** The building blocks every request and message draws from. */
export interface HostilePieces {
  readonly targets: FuzzTargets;
  /** A collection name as a path segment (percent-encoded where hostile). */
  readonly collection: fc.Arbitrary<string>;
  /** A record id as a path segment. */
  readonly recordId: fc.Arbitrary<string>;
  /** JSON text of a scalar: fixture values and hostile ones. */
  readonly scalars: fc.Arbitrary<string>;
  /** JSON text of any value, nested or deep included. */
  readonly value: fc.Arbitrary<string>;
  /** A filter expression, well-formed or not. */
  readonly expression: fc.Arbitrary<string>;
  /** JSON text of a record body (an object) or of anything else a body may be. */
  readonly objectBody: fc.Arbitrary<string>;
  readonly body: fc.Arbitrary<string | Buffer>;
  /** A collection and a body that passes its required fields, with hostile values in one to three fields. */
  readonly createTarget: fc.Arbitrary<{ collection: string; body: string }>;
}

/**
 * Bodies that pass each collection's required fields and rules, so that the hostile
 * values put next to them reach validation, relations and the store.
 */
const VALID_BASES: Readonly<Record<string, Record<string, unknown>>> = {
  posts: { title: 'Valid title' },
  authors: { name: 'Nia' },
  comments: { post: ids.post1, body: 'hi' },
  refs: { post: ids.post2 },
  drafts: { title: 'draft', status: 'live' },
  locked: { note: 'superusers only' },
  users: { email: 'new@example.com', password: 'a long passphrase 123', passwordConfirm: 'a long passphrase 123' },
};
const USER_FIELDS = [
  'email',
  'password',
  'passwordConfirm',
  'oldPassword',
  'name',
  'emailVisibility',
  'verified',
  'tokenKey',
  'avatar',
];

/** The pieces over the blog fixture and `targets`. */
export function hostilePieces(targets: FuzzTargets): HostilePieces {
  const recordIds = [...Object.values(ids), targets.userId];
  const fixtureStrings = fc.constantFrom(
    ...recordIds,
    targets.userEmail,
    'a',
    'b',
    'draft',
    'live',
    'https://example.com',
    'x@example.com',
    '2026-01-02 03:04:05.000Z',
    'not a date',
    'a long passphrase 123',
  );
  const strings = fc.oneof(
    { arbitrary: fixtureStrings, weight: 20 },
    { arbitrary: hostileString, weight: 20 },
    { arbitrary: longString, weight: 1 },
  );
  const scalars = scalarText(strings);
  const idList = fc
    .array(fc.constantFrom(...recordIds, '', 'nope'), { maxLength: 6 })
    .map((list) => JSON.stringify(list));
  const nested = jsonText(fc.constantFrom('a', 'b', ...PROTOTYPE_KEYS), scalars);
  const value = fc.oneof(
    { arbitrary: scalars, weight: 4 },
    { arbitrary: idList, weight: 1 },
    { arbitrary: nested, weight: 2 },
    { arbitrary: deepJsonText, weight: 1 },
  );
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...FIELD_KEYS, ...MODIFIER_KEYS), weight: 6 },
    { arbitrary: fc.constantFrom(...AUTH_KEYS), weight: 2 },
    { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 2 },
    { arbitrary: hostileString, weight: 1 },
  );
  const objectBody = jsonObjectText(key, value);
  return {
    targets,
    collection: fc.oneof(
      { arbitrary: fc.constantFrom(...COLLECTIONS), weight: 6 },
      { arbitrary: fc.constantFrom(...ODD_COLLECTIONS), weight: 1 },
      { arbitrary: hostileString.map(percentEncode), weight: 1 },
    ),
    recordId: fc.oneof(
      { arbitrary: fc.constantFrom(...recordIds), weight: 4 },
      { arbitrary: hostileString.map(percentEncode), weight: 1 },
    ),
    scalars,
    value,
    expression: fc.oneof(fc.constantFrom(...EXPRESSIONS), hostileString),
    objectBody,
    body: fc.oneof(
      { arbitrary: objectBody, weight: 8 },
      { arbitrary: jsonText(key, scalars), weight: 1 },
      { arbitrary: deepJsonText, weight: 1 },
      { arbitrary: malformedBody, weight: 1 },
    ),
    createTarget: createTarget(key, value),
  };
}

function createTarget(
  key: fc.Arbitrary<string>,
  value: fc.Arbitrary<string>,
): fc.Arbitrary<{ collection: string; body: string }> {
  return fc.constantFrom(...Object.keys(VALID_BASES)).chain((collection) => {
    const field = fc.oneof(
      { arbitrary: fc.constantFrom(...fieldNames(collection)), weight: 6 },
      { arbitrary: key, weight: 1 },
    );
    // Later keys win in JSON, so the overrides follow the valid base.
    const base = JSON.stringify(VALID_BASES[collection]).slice(0, -1);
    return fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((overrides) => ({
      collection,
      body: `${base}${overrides.map(([k, v]) => `,${jsonQuote(k)}:${v}`).join('')}}`,
    }));
  });
}

function fieldNames(collection: string): string[] {
  if (collection === 'users') return USER_FIELDS;
  const fields = blogCollections().find((c) => c.name === collection)!.fields as Array<{ name: string }>;
  return fields.map((f) => f.name);
}

/** A records list query: filter, sort, expand, fields, page, perPage, skipTotal with odd values, plus junk names. */
export function listQuery(p: HostilePieces): fc.Arbitrary<string> {
  const either = (known: string[]) => queryValue(fc.oneof(fc.constantFrom(...known), hostileString));
  return queryString([
    ['filter', queryValue(p.expression)],
    ['sort', either(['-created', 'title,-views', '@random', 'author.name', '@rowid', '-'.repeat(50)])],
    [
      'expand',
      either([
        'author',
        'editors,author',
        'comments_via_post.by',
        'author.author.author',
        'post.author',
        Array(40).fill('author').join('.'),
      ]),
    ],
    [
      'fields',
      either(['*', 'id,title', 'expand.author.name', '*:excerpt(10,true)', 'title:excerpt(-1)', 'a'.repeat(2000)]),
    ],
    ['page', either(['0', '-1', '1.5', '1e9', '99999999999999999999', 'NaN', '0x10', ' 2'])],
    ['perPage', either(['0', '-1', '1000', '1001', '1e3', '9007199254740993', 'Infinity', ''])],
    ['skipTotal', either(['1', 'true', '0', 'yes', ''])],
  ]);
}

/** A batch body: items that create, update or delete, some with odd methods, urls, bodies or headers, or something that is no batch at all. */
export function batchBody(p: HostilePieces): fc.Arbitrary<string | Buffer> {
  const item = fc.oneof(
    { arbitrary: batchCreate(p), weight: 4 },
    { arbitrary: batchItem(p), weight: 4 },
    {
      arbitrary: jsonObjectText(fc.constantFrom('method', 'url', 'body', 'headers', ...PROTOTYPE_KEYS), p.value, 4),
      weight: 1,
    },
  );
  return fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 4 }).map((items) => `{"requests":[${items.join(',')}]}`), weight: 6 },
    { arbitrary: jsonObjectText(fc.constantFrom('requests', ...PROTOTYPE_KEYS), p.value), weight: 1 },
    { arbitrary: p.body, weight: 1 },
  );
}

function batchCreate(p: HostilePieces): fc.Arbitrary<string> {
  return p.createTarget.map(
    ({ collection, body }) =>
      `{"method":"POST","url":${jsonQuote(`/api/collections/${collection}/records`)},"body":${body}}`,
  );
}

function batchItem(p: HostilePieces): fc.Arbitrary<string> {
  const method = fc.oneof(
    { arbitrary: fc.constantFrom('POST', 'PATCH', 'PUT', 'DELETE'), weight: 6 },
    { arbitrary: fc.constantFrom('GET', 'post', '', 'TRACE'), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
  const recordUrl = fc
    .tuple(p.collection, fc.option(p.recordId, { nil: undefined }), listQuery(p))
    .map(([c, id, q]) => `/api/collections/${c}/records${id === undefined ? '' : `/${id}`}?${q}`);
  const url = fc.oneof(
    { arbitrary: recordUrl, weight: 4 },
    { arbitrary: fc.constantFrom(...BATCH_URLS), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
  const headers = jsonObjectText(fc.constantFrom('authorization', 'content-type', ...PROTOTYPE_KEYS), p.scalars);
  const optional = (name: string, text: fc.Arbitrary<string>) =>
    fc.option(
      text.map((t) => `,${jsonQuote(name)}:${t}`),
      { nil: '' },
    );
  return fc
    .tuple(method, url, optional('body', p.objectBody), optional('headers', headers))
    .map(([m, u, body, h]) => `{"method":${jsonQuote(m)},"url":${jsonQuote(u)}${body}${h}}`);
}
