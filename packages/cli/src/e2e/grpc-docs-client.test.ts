/**
 * The Node client of docs/grpc.md ("A Node client in ten lines") runs as written against
 * a real `tandem serve`: it signs in, lists the published posts and watches new ones. Only
 * the address is changed (the server listens on a free port), so the page cannot drift.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROTO_DIR } from '@tandem/grpc';
import { codeBlockUnder } from '../testing/doc-code.fixture.js';
import { runTandem, startServe, type ServeProcess } from '../testing/spawn-tandem.fixture.js';

const DOC_ADDRESS = '127.0.0.1:8091';
const ada = { email: 'ada@example.com', password: 'secret passphrase' };
const signedIn = '@request.auth.id != ""';
const posts = {
  name: 'posts',
  type: 'base',
  listRule: signedIn,
  viewRule: signedIn,
  createRule: signedIn,
  fields: [
    { name: 'title', type: 'text' },
    { name: 'published', type: 'bool' },
  ],
};

/** The repository's node_modules, where the doc's imports resolve. */
function nodeModules(): string {
  return dirname(dirname(dirname(createRequire(import.meta.url).resolve('@grpc/grpc-js/package.json'))));
}

/** The doc's client in a folder of its own: `proto/` beside it, as the doc says, and the packages it imports. */
function writeClient(dir: string, grpcAddress: string): string {
  const code = codeBlockUnder('grpc.md', '## A Node client in ten lines', 'js');
  assert.ok(code.split('\n').length <= 10, 'the doc promises ten lines');
  assert.equal(code.split(DOC_ADDRESS).length, 2, `the client connects to ${DOC_ADDRESS} once`);
  mkdirSync(dir);
  cpSync(PROTO_DIR, join(dir, 'proto'), { recursive: true });
  symlinkSync(nodeModules(), join(dir, 'node_modules'), 'dir');
  const file = join(dir, 'client.mjs');
  writeFileSync(file, code.replace(DOC_ADDRESS, grpcAddress));
  return file;
}

/** A REST call; throws unless it answers 200. */
async function rest(url: string, body: unknown, token?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = token;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer;
}

/** The client's output, and a wait for a line matching `pattern` (rejecting when the client exits first). */
function watchOutput(child: ChildProcess) {
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const seen = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`the client ${why} printing ${pattern}:\n${output}`));
      // A hang guard, not a timing check: a client that never prints the line fails with its output.
      const timer = setTimeout(() => fail('went 30 s without'), 30_000);
      const check = () => {
        const match = pattern.exec(output);
        if (match) return (clearTimeout(timer), child.stdout!.off('data', check), resolve(match));
      };
      child.stdout!.on('data', check);
      exited.then(() => (clearTimeout(timer), fail('exited before')));
      check();
    });
  return { output: () => output, seen };
}

describe('the Node client of docs/grpc.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-grpc-doc-'));
  let serve: ServeProcess;
  let token: string;
  const ids: Record<string, string> = {};

  before(async () => {
    const file = join(dir, 'collections.json');
    writeFileSync(file, JSON.stringify({ collections: [posts] }));
    const imported = await runTandem(['collections', 'import', file, '--dir', join(dir, 'data')]);
    assert.equal(imported.code, 0, imported.stderr);
    serve = await startServe(['--dir', join(dir, 'data'), '--no-request-log']);
    const users = `${serve.url}/api/collections/users`;
    await rest(`${users}/records`, { ...ada, passwordConfirm: ada.password });
    ({ token } = await rest(`${users}/auth-with-password`, { identity: ada.email, password: ada.password }));
    for (const [title, published] of [
      ['published post', true],
      ['draft post', false],
    ] as const)
      ids[title] = (await rest(`${serve.url}/api/collections/posts/records`, { title, published }, token)).id;
  });
  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, lists the published posts and prints each new post it watches', async () => {
    const child = spawn(process.execPath, [writeClient(join(dir, 'client'), serve.grpcAddress!)], {
      cwd: join(dir, 'client'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const client = watchOutput(child);
    try {
      await client.seen(new RegExp(`id: '${ids['published post']}'`));
      assert.ok(!client.output().includes(ids['draft post']!), 'the filter leaves the draft out');
      // The Watch may start after the List answered: create until one creation is printed.
      const created: string[] = [];
      const printed = client.seen(/^create (\d+) (\w+)$/m);
      const tick = () => new Promise((resolve) => setTimeout(resolve, 200, false));
      while (!(await Promise.race([printed.then(() => true), tick()]))) {
        assert.ok(created.length < 100, `no creation printed:\n${client.output()}`);
        const body = { title: `new post ${created.length}`, published: true };
        created.push((await rest(`${serve.url}/api/collections/posts/records`, body, token)).id);
      }
      const [, seq, id] = await printed;
      assert.ok(created.includes(id!), `${id} is one of the posts created while watching`);
      assert.ok(Number(seq) > 0);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
