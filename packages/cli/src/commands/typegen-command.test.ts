import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { createTempDir } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { main } from '../main.js';

const sdkTypes = fileURLToPath(new URL('../../../sdk/dist/index.d.ts', import.meta.url));
const hookTypes = fileURLToPath(new URL('../hooks/index.d.ts', import.meta.url));

/** Type-checks files with the compiler API; returns the diagnostics as text. */
function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    paths: { '@tandem/sdk': [sdkTypes], '@tandem/cli/hooks': [hookTypes] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('tandem typegen', () => {
  let dir: { path: string; remove(): Promise<void> };
  let output: string;

  before(async () => {
    dir = await createTempDir();
    const file = join(dir.path, 'collections.json');
    await writeFile(file, JSON.stringify(blogCollections()));
    const quiet = () => undefined;
    assert.equal(await main(['collections', 'import', file, '--dir', dir.path], quiet), 0);
    assert.equal(await main(['typegen', '--out', join(dir.path, 'tandem-types.ts'), '--dir', dir.path], quiet), 0);
    output = await readFile(join(dir.path, 'tandem-types.ts'), 'utf8');
  });

  after(() => dir?.remove());

  it('writes one interface per collection with each field type', () => {
    for (const line of [
      'export interface PostsRecord {',
      '  collectionName: "posts";',
      '  views: number;',
      '  published: boolean;',
      '  tags: Array<"a" | "b" | "c" | "d">;',
      '  status: "draft" | "live" | "";',
      '  author: string;',
      '  editors: string[];',
      '  meta: unknown;',
      '  publishedAt: string;',
      '  created: string;',
      '  secret?: string;',
      'export interface SuperusersRecord {',
      '  posts: PostsRecord;',
      '  _superusers: SuperusersRecord;',
    ])
      assert.ok(output.includes(line + '\n'), `has ${JSON.stringify(line)}:\n${output}`);
  });

  it('gives auth records email, emailVisibility and verified, never password or tokenKey', () => {
    const users = /export interface UsersRecord \{[^}]*\}/.exec(output)![0];
    for (const line of ['  email: string;', '  emailVisibility: boolean;', '  verified: boolean;', '  name: string;'])
      assert.ok(users.includes(line), line);
    assert.doesNotMatch(output, /password|tokenKey/);
  });

  it('compiles, and types client.collection(name) through the Collections map', async () => {
    const usage = join(dir.path, 'usage.ts');
    await writeFile(
      usage,
      `
import { createClient } from '@tandem/sdk';
import type { Collections } from './tandem-types.js';
const client = createClient<Collections>('http://127.0.0.1:8090');
export async function check() {
  const post = await client.collection('posts').get('id');
  const title: string = post.title;
  const tags: Array<'a' | 'b' | 'c' | 'd'> = post.tags;
  // @ts-expect-error views is a number
  const views: string = post.views;
  const page = await client.collection('users').list(1, 10);
  const verified: boolean = page.items[0]!.verified;
  // @ts-expect-error status is one of the select values
  await client.collection('posts').create({ status: 'archived' });
  return [title, tags, views, verified];
}
`,
    );
    assert.deepEqual(typeCheck([join(dir.path, 'tandem-types.ts'), usage]), []);
  });

  it('with --hooks, types the records of server hooks by collection (AppHooks)', async () => {
    const types = join(dir.path, 'hooks', 'tandem-types.d.ts');
    await mkdir(join(dir.path, 'hooks'));
    assert.equal(await main(['typegen', '--hooks', '--out', types, '--dir', dir.path], () => undefined), 0);
    const hook = join(dir.path, 'hooks', 'main.ts');
    await writeFile(
      hook,
      `
import type { AppHooks } from './tandem-types.js';
export default (app: AppHooks) => {
  app.onRecordCreate(async (e) => {
    const title: string | undefined = e.record.title;
    // @ts-expect-error views is a number
    const views: string | undefined = e.record.views;
    e.record.slug = [title, views].join('-');
    await e.next();
  }, 'posts');
  app.onRecordViewRequest(async (e) => {
    const verified: boolean = e.record.verified;
    if (!verified) e.record = { ...e.record, name: '' };
    await e.next();
  }, 'users');
  // @ts-expect-error no such collection
  app.onRecordDelete(async (e) => e.next(), 'nope');
  app.routerAdd('GET', '/api/hello/{name}', (e) => ({ hello: e.params.name }));
};
`,
    );
    assert.deepEqual(typeCheck([types, hook]), []);
  });

  it('needs --out', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      assert.equal(await main(['typegen', '--dir', dir.path], () => undefined), 2);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /--out/);
  });
});
