/**
 * Test-only fast-check generators for the filter property suites: random blog datasets
 * (unicode, LIKE wildcards, negative and fractional numbers, mixed JSON, dangling
 * relations), random well-formed filters over the blog schema, and hostile text.
 */
import fc from 'fast-check';
import type { Row } from '../store/store.js';
import type { RequestInfo } from './filter-context.js';
import type { Dataset } from './filter-test.fixture.js';

// NB: no NUL (PostgreSQL cannot store it); U+E000 and U+FFFF against astral characters
// catch UTF-16 vs code point ordering; %, _ and \ exercise LIKE escaping.
const TEXT_UNITS = [
  'a',
  'A',
  'b',
  'B',
  'z',
  'Z',
  'é',
  'É',
  'ß',
  '😀',
  '𝔸',
  '\uE000',
  '\uFFFF',
  '%',
  '_',
  '\\',
  ' ',
  '0',
  '1',
  '-',
  '.',
  "'",
  '"',
  'ÿ',
];
const TAGS = ['a', 'b', 'c', 'A', '%', '_', 'é'];
const DATES = [
  '',
  '2023-05-05 05:05:05.555Z',
  '2024-01-01 10:00:00.000Z',
  '2024-12-31 12:00:00.000Z',
  '2025-01-01 00:00:00.000Z',
];
const USER_IDS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const POST_IDS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'];

/** Short texts over an alphabet chosen to collide, fold and escape. */
export const textArb = fc.string({ unit: fc.constantFrom(...TEXT_UNITS), maxLength: 5 });

/** Integers, fractions, negatives, -0, huge and tiny doubles. */
export const numberArb = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0.5, 1.5, 10, 100, 1e21, 2 ** 53, -1e-7, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalarArb = fc.oneof(textArb, numberArb, fc.boolean(), fc.constant(null));

/** JSON values with keys that paths in the generated filters read (including "0"). */
export const jsonArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarArb, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', 's', '0', '1', 'list'), tie('value'), { maxKeys: 3 }),
})).value;

const userArb = fc.record({
  name: textArb,
  email: textArb,
  emailVisibility: fc.boolean(),
  age: numberArb,
  verified: fc.boolean(),
  profile: fc.oneof(jsonArb, fc.constant(null)),
  password: textArb,
  tokenKey: textArb,
  favorite: fc.constantFrom(...POST_IDS, '', 'ghost'),
});

const postArb = fc.record({
  title: textArb,
  views: numberArb,
  published: fc.boolean(),
  tags: fc.subarray(TAGS),
  category: fc.constantFrom('', 'news', 'tech'),
  author: fc.constantFrom(...USER_IDS, '', 'ghost'),
  editors: fc.uniqueArray(fc.constantFrom(...USER_IDS, 'ghost'), { maxLength: 4 }),
  data: fc.oneof(jsonArb, fc.constant(null)),
  created: fc.constantFrom(...DATES),
  secret: textArb,
  parent: fc.constantFrom(...POST_IDS, '', 'ghost'),
});

const commentArb = fc.record({
  post: fc.constantFrom(...POST_IDS, 'gone', ''),
  message: textArb,
  votes: numberArb,
  author: fc.constantFrom(...USER_IDS, ''),
});

const bookmarkArb = fc.record({
  owner: fc.constantFrom(...USER_IDS),
  posts: fc.uniqueArray(fc.constantFrom(...POST_IDS, 'gone'), { maxLength: 4 }),
});

/** A whole random blog: 6 users, 10 posts, 12 comments, 4 bookmarks. */
export const datasetArb: fc.Arbitrary<Dataset> = fc.record({
  users: fc.array(userArb, { minLength: 6, maxLength: 6 }).map((rows) => withIds('u', rows)),
  posts: fc.array(postArb, { minLength: 10, maxLength: 10 }).map((rows) => withIds('p', rows)),
  comments: fc.array(commentArb, { minLength: 12, maxLength: 12 }).map((rows) => withIds('c', rows)),
  bookmarks: fc.array(bookmarkArb, { minLength: 4, maxLength: 4 }).map((rows) => withIds('b', rows)),
});

function withIds(prefix: string, rows: object[]): Row[] {
  return rows.map((row, i) => ({ id: `${prefix}${i}`, ...row }));
}

/** Post paths by the kind of value they yield (with modifiers). */
export const POST_PATHS = {
  text: [
    'title',
    'category',
    'id',
    'author',
    'author.name',
    'author.id',
    'comments_via_post.message',
    'editors.name',
    'tags',
    'editors',
    'tags:each',
    'title:lower',
    'author.name:lower',
    'editors.name:lower',
    'comments_via_post.author.name',
    'bookmarks_via_posts.owner.name',
    'bookmarks_via_posts.posts',
    'comments_via_post.post.title',
    'editors.id',
    'created',
    'parent.title',
    'posts_via_parent.title',
    'parent.parent.title',
    'parent.tags',
    'bookmarks_via_posts.posts.title',
    'comments_via_post.post.editors.name',
    'parent.author.name',
    'author.email',
    'editors.email',
    'comments_via_post.author.email:lower',
    'author.favorite.title',
    'parent.author.email',
  ],
  number: [
    'views',
    'author.age',
    'comments_via_post.votes',
    'editors.age',
    'tags:length',
    'editors:length',
    'comments_via_post:length',
    'bookmarks_via_posts:length',
    'data.list:length',
    'data:length',
    'author.profile:length',
    'parent.views',
    'posts_via_parent:length',
    'posts_via_parent.views',
    'parent.editors:length',
  ],
  bool: [
    'published',
    'author.verified',
    'editors.verified',
    'comments_via_post.author.verified',
    'author.emailVisibility',
  ],
  json: [
    'data',
    'data.a',
    'data.a.b',
    'data.0',
    'data.1',
    'data.s',
    'data.list.0',
    'data.b.0',
    'author.profile',
    'author.profile.a',
    'author.profile.s',
    'editors.profile.a',
    'data.s:lower',
    'data.a:lower',
    'comments_via_post.author.profile.s',
    'parent.data.a',
    'posts_via_parent.data.s',
  ],
} as const;

const kindArb = fc.constantFrom<keyof typeof POST_PATHS>('text', 'number', 'bool', 'json');
const pathArb = (kind: keyof typeof POST_PATHS) => fc.constantFrom(...POST_PATHS[kind]);
const anyPathArb = kindArb.chain(pathArb);
const opArb = fc
  .tuple(fc.boolean(), fc.constantFrom('=', '!=', '>', '>=', '<', '<=', '~', '!~'))
  .map(([any, op]) => (any ? '?' : '') + op);

/** Quoted text as it appears in filters: any of the alphabet, escaped quotes included. */
export const quotedArb = fc
  .tuple(
    fc.constantFrom('"', "'"),
    fc.array(fc.constantFrom(...TEXT_UNITS, '\\"', "\\'", '\\%', '\\_', '%'), { maxLength: 5 }),
  )
  .map(([quote, parts]) => {
    let body = parts.join('');
    if (body.endsWith('\\')) body += 'x';
    return quote + body + quote;
  });

const numberTextArb = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.constantFrom('0.5', '-0.5', '1.5', '10', '100', '1000000000000000000000', '0.0', '-0', '007', '9007199254740992'),
  fc.double({ min: -1000, max: 1000, noNaN: true }).map((x) => x.toFixed(3)),
);

const macroArb = fc.constantFrom(
  '@now',
  '@year',
  '@month',
  '@day',
  '@todayStart',
  '@yearEnd',
  '@request.auth.id',
  '@request.auth.name',
  '@request.auth.age',
  '@request.auth.roles',
  '@request.auth.verified',
  '@request.body.x',
  '@request.body.arr',
  '@request.body.num',
  '@request.body.obj',
  '@request.body.s:lower',
  '@request.body.arr:length',
  '@request.body.x:isset',
  '@request.body.nope:isset',
  '@request.query.q',
  '@request.headers.x_token',
  '@request.method',
  '@request.body.arr:each',
  '@request.query.q:isset',
  '@request.headers.x_token:isset',
  '@request.auth.email',
  '@request.auth.tokenKey',
  '@request.auth.favorite',
  '@request.auth.favorite.title',
  '@request.auth.favorite.views',
  '@request.auth.favorite.tags',
  '@request.auth.favorite.author.email',
  '@request.auth.favorite.comments_via_post.votes',
  '@request.body.title:changed',
  '@request.body.views:changed',
  '@request.body.tags:changed',
  '@request.body.published:changed',
  '@request.body.author:changed',
  '@request.body.data:changed',
);

/** Any literal or macro operand. */
export const literalArb = fc.oneof(
  { weight: 4, arbitrary: quotedArb },
  { weight: 3, arbitrary: numberTextArb },
  { weight: 2, arbitrary: fc.constantFrom('true', 'false', 'null', 'TRUE', 'Null') },
  { weight: 3, arbitrary: macroArb },
);

const comparisonArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.tuple(anyPathArb, opArb, literalArb) },
    { weight: 2, arbitrary: fc.tuple(literalArb, opArb, anyPathArb) },
    { weight: 2, arbitrary: kindArb.chain((kind) => fc.tuple(pathArb(kind), opArb, pathArb(kind))) },
    { weight: 1, arbitrary: fc.tuple(anyPathArb, opArb, anyPathArb) },
    { weight: 1, arbitrary: fc.tuple(literalArb, opArb, literalArb) },
  )
  .map(([left, op, right]) => `${left} ${op} ${right}`);

/** Well-formed filter text over the posts collection: comparisons joined by && and ||. */
export const filterArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, comparisonArb, tie('join'), tie('group')),
  join: fc.tuple(tie('node'), fc.constantFrom(' && ', ' || '), tie('node')).map(([a, op, b]) => `${a}${op}${b}`),
  group: tie('node').map((inner) => `(${inner})`),
})).node as fc.Arbitrary<string>;

/** Request values for the macros above (guest or a user; arrays, objects, numbers, text). */
export const requestArb: fc.Arbitrary<RequestInfo> = fc.record({
  auth: fc.oneof(
    fc.constant(null),
    fc.record({
      id: fc.constantFrom(...USER_IDS),
      collectionId: fc.constant('c_users'),
      collectionName: fc.constant('users'),
      name: textArb,
      age: numberArb,
      verified: fc.boolean(),
      roles: fc.array(textArb, { maxLength: 3 }),
    }),
  ),
  body: fc.record(
    {
      x: scalarArb,
      arr: fc.array(scalarArb, { maxLength: 3 }),
      num: numberArb,
      obj: jsonArb,
      s: textArb,
      title: textArb,
      views: fc.oneof(numberArb, numberArb.map(String)),
      tags: fc.oneof(fc.subarray(TAGS), fc.constantFrom(...TAGS, '')),
      published: fc.oneof(fc.boolean(), fc.constant(null)),
      author: fc.constantFrom(...USER_IDS, '', null),
      data: fc.oneof(scalarArb, jsonArb),
    },
    { requiredKeys: ['x', 'arr', 'num', 'obj', 's'] },
  ),
  query: fc.record({ q: textArb }, { requiredKeys: [] }),
  headers: fc.record({ 'X-Token': textArb }),
  method: fc.constantFrom('GET', 'POST'),
  context: fc.constant('default'),
});

const TOKENS = [
  '(',
  ')',
  '&&',
  '||',
  '&',
  '|',
  '=',
  '!=',
  '?=',
  '?!~',
  '~',
  '!~',
  '>',
  '<=',
  '"',
  "'",
  '\\',
  'title',
  'tags',
  'views',
  '@request.auth.id',
  '@request.body.x:isset',
  '@collection.posts.id',
  '@now',
  '@nope',
  '1',
  '-1.5',
  '1.',
  '.5',
  'true',
  'null',
  ' ',
  '\n',
  '//',
  '\u0000',
  '\uD800',
  'author.name',
  ':lower',
  ':length',
  ':each',
  ':isset',
  ':nope',
  'data.a.0',
  'comments_via_post.message',
  '.',
  ':',
  '#',
  '@',
  '-',
  '?',
  'f(',
  'secret',
  'author.email',
  '😀',
  'é',
  ':changed',
  '@request.body.title:changed',
  '@collection.comments:c.post',
  '@collection.users.name',
  'password',
  'author.tokenKey',
  '@request.auth.favorite.title',
];

/** Hostile text: token soup, raw unicode (lone surrogates, NUL) and oversized input. */
export const hostileArb = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc
    .tuple(
      fc.integer({ min: 1, max: 5000 }),
      fc.constantFrom('(', '((a=1', 'a=1 && ', 'a=1)', '"', '@request.', '(a=1 || '),
    )
    .map(([n, unit]) => unit.repeat(n)),
  filterArb.map((text) => text.slice(0, Math.max(0, text.length - 3))),
);
