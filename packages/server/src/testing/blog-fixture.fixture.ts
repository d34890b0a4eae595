/**
 * Test-only: a small blog schema and data set with fixed ids, used by the API scenario
 * table and the end-to-end tests. Every kind of field, rule and relation appears once.
 */

/** Ids of the seeded records, 15 characters of [a-z0-9] as Tandem generates them. */
export const ids = {
  ada: 'authorada000001',
  bob: 'authorbob000002',
  post1: 'post00000000001',
  post2: 'post00000000002',
  post3: 'post00000000003',
  comment1: 'comment00000001',
  comment2: 'comment00000002',
  comment3: 'comment00000003',
  draft1: 'draft0000000001',
  live1: 'live00000000001',
  ref1: 'ref000000000001',
  locked1: 'locked000000001',
} as const;

const PUBLIC = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const timestamps = [
  { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
  { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
];

/** The blog collections in PocketBase's collection JSON (import order matters for ids only). */
export function blogCollections(): Record<string, unknown>[] {
  return [
    {
      name: 'authors',
      type: 'base',
      ...PUBLIC,
      fields: [
        { name: 'name', type: 'text', required: true, max: 50 },
        { name: 'secret', type: 'text', hidden: true },
        ...timestamps,
      ],
    },
    {
      name: 'posts',
      type: 'base',
      ...PUBLIC,
      fields: [
        { name: 'title', type: 'text', required: true, min: 3, max: 100 },
        { name: 'body', type: 'text' },
        { name: 'views', type: 'number', min: 0, onlyInt: true },
        { name: 'rating', type: 'number' },
        { name: 'published', type: 'bool' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'd'], maxSelect: 3 },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1 },
        { name: 'editors', type: 'relation', collectionId: 'authors', maxSelect: 5 },
        { name: 'meta', type: 'json' },
        { name: 'link', type: 'url' },
        { name: 'contact', type: 'email' },
        { name: 'publishedAt', type: 'date' },
        { name: 'slug', type: 'text', autogeneratePattern: '[a-z]{8}' },
        ...timestamps,
      ],
      indexes: ['CREATE UNIQUE INDEX idx_posts_slug ON posts (slug)'],
    },
    {
      name: 'comments',
      type: 'base',
      ...PUBLIC,
      fields: [
        { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1, required: true, cascadeDelete: true },
        { name: 'body', type: 'text', required: true },
        { name: 'by', type: 'relation', collectionId: 'authors', maxSelect: 1 },
      ],
    },
    {
      name: 'refs',
      type: 'base',
      ...PUBLIC,
      fields: [{ name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1, required: true }],
    },
    {
      name: 'locked',
      type: 'base',
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [{ name: 'note', type: 'text' }],
    },
    {
      name: 'drafts',
      type: 'base',
      listRule: 'status = "live"',
      viewRule: 'status = "live"',
      createRule: '@request.body.title != "forbidden"',
      updateRule: 'status = "live" && locked = false',
      deleteRule: 'views = 0',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'status', type: 'select', values: ['draft', 'live'] },
        { name: 'locked', type: 'bool' },
        { name: 'views', type: 'number' },
      ],
    },
  ];
}

/** The records of the data set, per collection, in insertion order. */
export function blogRecords(): Array<[string, Record<string, unknown>]> {
  return [
    ['authors', { id: ids.ada, name: 'Ada', secret: 'ada-secret' }],
    ['authors', { id: ids.bob, name: 'Bob', secret: 'bob-secret' }],
    [
      'posts',
      {
        id: ids.post1,
        title: 'Hello world',
        body: '<p>The <b>first</b> post of the blog, with enough words to excerpt.</p>',
        views: 10,
        rating: 4.5,
        published: true,
        tags: ['a', 'b'],
        status: 'live',
        author: ids.ada,
        editors: [ids.ada, ids.bob],
        meta: { lang: 'en', n: 1 },
        link: 'https://example.com/1',
        contact: 'ada@example.com',
        publishedAt: '2026-01-02 03:04:05.000Z',
        slug: 'helloooo',
      },
    ],
    [
      'posts',
      {
        id: ids.post2,
        title: 'Second post',
        body: 'Plain body',
        views: 3,
        rating: 2,
        published: false,
        tags: ['c'],
        status: 'draft',
        author: ids.bob,
        editors: [ids.bob],
        meta: { lang: 'fr', n: 2 },
        publishedAt: '2026-02-01 00:00:00.000Z',
        slug: 'secondxx',
      },
    ],
    [
      'posts',
      {
        id: ids.post3,
        title: 'Third: 100% done_',
        body: '',
        views: 0,
        rating: -1,
        published: true,
        tags: [],
        status: 'live',
        author: '',
        editors: [],
        meta: null,
        slug: 'thirdxxx',
      },
    ],
    ['comments', { id: ids.comment1, post: ids.post1, body: 'Nice post', by: ids.bob }],
    ['comments', { id: ids.comment2, post: ids.post1, body: 'Thanks', by: ids.ada }],
    ['comments', { id: ids.comment3, post: ids.post2, body: 'Hmm', by: ids.ada }],
    ['refs', { id: ids.ref1, post: ids.post2 }],
    ['locked', { id: ids.locked1, note: 'superusers only' }],
    ['drafts', { id: ids.draft1, title: 'A draft', status: 'draft', views: 0 }],
    ['drafts', { id: ids.live1, title: 'Live one', status: 'live', views: 5 }],
  ];
}
