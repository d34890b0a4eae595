/**
 * Test-only: the fixed dataset of the filter conformance table. Every edge the semantics
 * name is here: empty and dangling relations, empty lists, mixed-type JSON, unicode,
 * LIKE wildcards in data, negative and fractional numbers.
 */
import type { Dataset } from './filter-test.fixture.js';

/** users u1–u4 (emails: u1 hidden, u2 visible, u3 hidden, u4 none), posts p1–p5, comments c1–c5 (c4 orphaned), bookmarks b1–b3. */
export const blogDataset: Dataset = {
  users: [
    {
      id: 'u1', name: 'Ann', email: 'ann@example.com', emailVisibility: false, age: 30, verified: true,
      profile: { city: 'Oslo', langs: ['en', 'no'], score: 7 }, password: '$2a$hash-ann', tokenKey: 'key-ann', favorite: 'p2',
    },
    {
      id: 'u2', name: 'bob', email: 'bob@example.com', emailVisibility: true, age: 17.5, verified: false,
      profile: { city: 'Ålesund', score: '7' }, password: '$2a$hash-bob', tokenKey: 'key-bob', favorite: 'p1',
    },
    { id: 'u3', name: 'Émile', email: 'emile@example.com', emailVisibility: false, age: -2, verified: false, profile: null },
    { id: 'u4', name: '', age: 0, verified: true, profile: { city: null } },
  ],
  posts: [
    {
      id: 'p1', title: 'Hello World', views: 10, published: true, tags: ['a', 'b'], category: 'news', author: 'u1',
      editors: ['u2', 'u3'], data: { a: { b: 1 }, list: [1, 2, 3], s: 'x' }, created: '2024-01-01 10:00:00.000Z',
    },
    {
      id: 'p2', title: 'hello_world 50%', views: 5.5, published: false, tags: [], category: '', author: 'u2',
      editors: [], data: { a: { b: '1' }, list: [] }, created: '2024-06-01 00:00:00.000Z',
    },
    { id: 'p3', title: '', views: -1, published: false, tags: ['b'], category: 'tech', author: '', editors: ['u1', 'missing1'], data: null, created: '' },
    {
      id: 'p4', title: 'Zebra', views: 0, published: true, tags: ['c', 'a'], category: 'news', author: 'ghost',
      editors: ['u4'], data: { a: null, s: 'X', t: true }, created: '2023-12-31 23:59:59.999Z',
    },
    {
      id: 'p5', title: 'émoji 😀', views: 1e6, published: true, tags: ['a'], category: 'tech', author: 'u3',
      editors: ['u1', 'u2'], data: [1, 'two', { three: 3 }], created: '2025-03-03 03:03:03.003Z', secret: 's',
    },
  ],
  comments: [
    { id: 'c1', post: 'p1', message: 'Great', votes: 3, author: 'u2' },
    { id: 'c2', post: 'p1', message: 'meh', votes: -1, author: 'u3' },
    { id: 'c3', post: 'p2', message: 'Nice one', votes: 10, author: 'u1' },
    { id: 'c4', post: 'gone', message: 'orphan', votes: 0, author: 'u1' },
    { id: 'c5', post: 'p5', message: '', votes: 0, author: '' },
  ],
  bookmarks: [
    { id: 'b1', owner: 'u1', posts: ['p1', 'p2'] },
    { id: 'b2', owner: 'u2', posts: ['p1'] },
    { id: 'b3', owner: 'u3', posts: [] },
  ],
};
