import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema as parseSdl } from 'graphql';
import { createTempDir } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { main } from '../main.js';

describe('tandem graphql schema', () => {
  let dir: { path: string; remove(): Promise<void> };
  let sdl = '';

  before(async () => {
    dir = await createTempDir();
    const file = join(dir.path, 'collections.json');
    await writeFile(file, JSON.stringify(blogCollections()));
    assert.equal(await main(['collections', 'import', file, '--dir', dir.path], () => undefined), 0);
    const lines: string[] = [];
    assert.equal(await main(['graphql', 'schema', '--dir', dir.path], (line) => lines.push(line)), 0);
    sdl = lines.join('\n');
  });
  after(async () => dir.remove());

  it('prints SDL that parses, with the contract names of each collection', () => {
    const schema = parseSdl(sdl);
    const query = schema.getQueryType()!.getFields();
    assert.equal(String(query.posts!.type), 'PostsList!');
    assert.deepEqual(
      query.posts!.args.map((a) => `${a.name}: ${a.type}`),
      ['filter: String', 'sort: String', 'page: Int', 'perPage: Int', 'skipTotal: Boolean'],
    );
    assert.equal(String(query.posts_by_id!.type), 'Posts');
    const mutation = schema.getMutationType()!.getFields();
    assert.equal(String(mutation.create_posts!.args[0]!.type), 'PostsCreateInput!');
    assert.equal(String(mutation.delete_posts!.type), 'Boolean!');
    assert.equal(String(mutation.auth_with_password_users!.type), 'UsersAuth!');
    const posts = schema.getType('Posts') as import('graphql').GraphQLObjectType;
    assert.equal(String(posts.getFields().author!.type), 'Authors');
    assert.equal(String(posts.getFields().editors!.type), '[Authors!]!');
    assert.equal(String(posts.getFields().comments_via_post!.type), '[Comments!]!');
    assert.equal(String(posts.getFields().meta!.type), 'JSON');
    assert.equal(String(posts.getFields().publishedAt!.type), 'DateTime');
    assert.equal(String(schema.getSubscriptionType()!.getFields().posts!.type), 'PostsEvent!');
  });

  it('refuses a missing subcommand', async () => {
    assert.equal(await main(['graphql'], () => undefined), 2);
  });
});
