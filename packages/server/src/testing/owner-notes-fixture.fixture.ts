/**
 * Test-only: a schema where public records point at owner-only ones, for the tests that
 * check that no field path across a relation reveals what the caller may not list.
 *
 * - `notes` can be listed and viewed only by their owner; `secret` and `rank` are the
 *   data a stranger must never learn, `link` points back at a public `links` record;
 * - `links` is public and points at notes (`note`, one; `notes`, several).
 */
import { internalRequest, superuser } from '@tandem/core';
import type { TestApp } from './test-app.fixture.js';
import { call } from './http-client.fixture.js';

export const OWNER_NOTES_PASSWORD = 'correct horse battery staple';

const OWNER_ONLY = 'owner = @request.auth.id';

/** The `notes` and `links` collections (each relation names its target by name). */
export function ownerNotesCollections(): Record<string, unknown>[] {
  return [
    {
      name: 'links',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [{ name: 'label', type: 'text' }],
    },
    {
      name: 'notes',
      type: 'base',
      listRule: OWNER_ONLY,
      viewRule: OWNER_ONLY,
      createRule: '',
      updateRule: OWNER_ONLY,
      deleteRule: OWNER_ONLY,
      fields: [
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'secret', type: 'text' },
        { name: 'rank', type: 'number' },
        { name: 'link', type: 'relation', collectionId: 'links', maxSelect: 1 },
      ],
    },
  ];
}

/** The relations of `links` into `notes`, added once both collections exist. */
export function linksWithNoteRelations(notesId: string): Record<string, unknown> {
  return {
    fields: [
      { name: 'label', type: 'text' },
      { name: 'note', type: 'relation', collectionId: notesId, maxSelect: 1 },
      { name: 'notes', type: 'relation', collectionId: notesId, maxSelect: 5 },
    ],
  };
}

/** A signed-up user and its token. */
export interface FixtureUser {
  readonly id: string;
  readonly token: string;
}

/** Imports the schema and signs up two users, `ann` and `ben`. */
export async function setUpOwnerNotes(t: TestApp): Promise<{ ann: FixtureUser; ben: FixtureUser }> {
  await t.collections.import(ownerNotesCollections());
  const notes = t.collections.get('notes');
  const links = t.collections.get('links');
  await t.collections.update(links.id, linksWithNoteRelations(notes.id));
  return { ann: await signUp(t, 'ann@example.com'), ben: await signUp(t, 'ben@example.com') };
}

async function signUp(t: TestApp, email: string): Promise<FixtureUser> {
  const body = { email, password: OWNER_NOTES_PASSWORD, passwordConfirm: OWNER_NOTES_PASSWORD };
  const created = await call(t, 'POST', '/api/collections/users/records', body);
  if (created.status !== 200) throw new Error(`sign-up failed: ${created.raw}`);
  const login = await call(t, 'POST', '/api/collections/users/auth-with-password', {
    identity: email,
    password: OWNER_NOTES_PASSWORD,
  });
  return { id: created.body.id, token: login.body.token };
}

/** A tiny seeded generator for data sets (fast-check drives the queries). */
export function seededRandom(start: number) {
  let state = start >>> 0 || 1;
  const next = () => (state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 2 ** 32;
  return {
    int: (n: number) => Math.floor(next() * n),
    text: () => Array.from({ length: Math.floor(next() * 4) }, () => 'abcd'[Math.floor(next() * 4)]).join(''),
  };
}

/**
 * Seeds 8 links and 12 notes owned at random by ann, ben or no one, linked at random
 * both ways (the same data for the same seed). Returns the notes and their owners.
 */
export async function seedRandomNotes(
  t: TestApp,
  owners: { ann: FixtureUser; ben: FixtureUser },
  seed: number,
): Promise<{ id: string; owner: string }[]> {
  const random = seededRandom(seed);
  const asFixture = internalRequest(superuser('fixture0000001'));
  const linkIds: string[] = [];
  for (let i = 0; i < 8; i += 1) linkIds.push((await t.seed('links', { label: random.text() })).id as string);
  const noteIds: { id: string; owner: string }[] = [];
  for (let i = 0; i < 12; i += 1) {
    const owner = [owners.ann.id, owners.ben.id, ''][random.int(3)]!;
    const note = await t.seed('notes', {
      owner,
      secret: random.text(),
      rank: random.int(6),
      link: [...linkIds, ''][random.int(9)],
    });
    noteIds.push({ id: note.id as string, owner });
  }
  for (const id of linkIds) {
    const notes = [0, 1, 2].map(() => noteIds[random.int(noteIds.length)]!.id);
    const note = [...noteIds.map((n) => n.id), ''][random.int(13)];
    await t.records.update('links', id, { note, notes: [...new Set(notes)] }, {}, asFixture);
  }
  return noteIds;
}
