import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTandem, startServe } from './testing/spawn-tandem.fixture.js';

describe('the tandem command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['collections', '--help'],
      ['superuser', '--help'],
      ['mail', '--help'],
    ]) {
      const result = await runTandem(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage:\s+tandem/);
    }
  });

  it('exits 2 with one line on a bad flag or command', async () => {
    for (const args of [['serve', '--nope'], ['frobnicate'], ['collections', 'import']]) {
      const result = await runTandem(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^tandem: /);
    }
  });

  it('names an unknown flag or a missing value in one line and exits 2, for every command', async () => {
    const cases: Array<[string[], string]> = [
      [['serve', '--nope'], 'tandem: unknown flag --nope (see tandem serve --help)'],
      [['collections', 'export', '--colour'], 'tandem: unknown flag --colour (see tandem collections --help)'],
      [['superuser', 'delete', 'a@example.com', '-x'], 'tandem: unknown flag -x (see tandem superuser --help)'],
      [['serve', '--http'], 'tandem: --http needs a value (see tandem serve --help)'],
      [['collections', 'export', '--out'], 'tandem: --out needs a value (see tandem collections --help)'],
      [['mail', 'list', '--limit'], 'tandem: --limit needs a value (see tandem mail --help)'],
      [
        ['typegen', '--dir', '--out', 'types.ts'],
        'tandem: --dir needs a value, got the flag --out (see tandem typegen --help)',
      ],
    ];
    for (const [args, line] of cases) {
      const result = await runTandem(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, `${line}\n`, args.join(' '));
    }
  });

  it('exits 1 with one clear line when the database is unreachable', async () => {
    const result = await runTandem([
      'collections',
      'export',
      '--dir',
      dir,
      '--db',
      'postgres://postgres:secret@127.0.0.1:1/none',
    ]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /cannot reach database/);
    assert.doesNotMatch(result.stderr, /secret/);
  });

  it('imports collections idempotently and exports them', async () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify([{ name: 'things', type: 'base', fields: [{ name: 'title', type: 'text' }] }]));
    assert.match(
      (await runTandem(['collections', 'import', file, '--dir', dir])).stdout,
      /created 1, updated 0, unchanged 0/,
    );
    assert.match(
      (await runTandem(['collections', 'import', file, '--dir', dir])).stdout,
      /created 0, updated 0, unchanged 1/,
    );
    const out = join(dir, 'export.json');
    const exporting = await runTandem(['collections', 'export', '--dir', dir, '--out', out]);
    assert.equal(exporting.code, 0);
    assert.equal(exporting.stdout, `exported 1 collection to ${out}\n`);
    assert.equal(exporting.stderr, '', 'no progress when standard error is not a terminal');
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(
      exported.map((c: { name: string }) => c.name),
      ['things'],
    );
  });

  it('fails an import of an invalid file with one line and changes nothing', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'ok_one', fields: [] },
        { name: 'bad name', fields: [] },
      ]),
    );
    const result = await runTandem(['collections', 'import', file, '--dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /import failed/);
    const exported = await runTandem(['collections', 'export', '--dir', dir]);
    assert.doesNotMatch(exported.stdout, /ok_one/);
  });

  it('serves static files from <dir>/public and shuts down gracefully', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'public'), { recursive: true });
    writeFileSync(join(dir, 'public', 'index.html'), '<h1>hi</h1>');
    const server = await startServe(['--dir', dir, '--request-lines']);
    try {
      const page = await fetch(server.url + '/');
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      const etag = page.headers.get('etag')!;
      assert.equal(await page.text(), '<h1>hi</h1>');
      assert.equal((await fetch(server.url + '/', { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal((await fetch(server.url + '/..%2f..%2fetc%2fpasswd')).status, 404);
      assert.equal((await fetch(server.url + '/api/health')).status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    assert.match(server.output(), /"msg":"request"/);
  });

  it('creates, updates and deletes a superuser, and says when none exists', async () => {
    const data = join(dir, 'superusers');
    const server = await startServe(['--dir', data, '--no-request-log']);
    const hint = server.output();
    await server.stop();
    assert.match(hint, /No superuser exists yet.*tandem superuser upsert/);
    const weak = await runTandem(['superuser', 'upsert', 'root@example.com', 'short', '--dir', data]);
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /validation_min_text_constraint/);
    assert.equal(
      (await runTandem(['superuser', 'upsert', 'root@example.com', 'root passphrase 1', '--dir', data])).stdout.trim(),
      'superuser root@example.com created',
    );
    assert.equal(
      (await runTandem(['superuser', 'upsert', 'root@example.com', 'root passphrase 2', '--dir', data])).stdout.trim(),
      'superuser root@example.com updated',
    );
    const again = await startServe(['--dir', data, '--no-request-log']);
    const login = await fetch(`${again.url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: 'root@example.com', password: 'root passphrase 2' }),
    });
    const quiet = again.output();
    await again.stop();
    assert.equal(login.status, 200);
    assert.doesNotMatch(quiet, /No superuser/);
    assert.equal((await runTandem(['superuser', 'delete', 'root@example.com', '--dir', data])).code, 0);
    assert.equal((await runTandem(['superuser', 'delete', 'root@example.com', '--dir', data])).code, 1);
    assert.equal((await runTandem(['superuser', 'upsert', 'only-email@example.com', '--dir', data])).code, 2);
  });

  it('lists the dev outbox', async () => {
    const data = join(dir, 'outbox');
    const server = await startServe(['--dir', data, '--no-request-log']);
    const password = 'outbox passphrase';
    await fetch(`${server.url}/api/collections/users/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'mail@example.com', password, passwordConfirm: password }),
    });
    const reset = await fetch(`${server.url}/api/collections/users/request-password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'mail@example.com' }),
    });
    await server.stop();
    assert.equal(reset.status, 204);
    const listed = await runTandem(['mail', 'list', '--to', 'mail@example.com', '--dir', data]);
    assert.equal(listed.code, 0, listed.stderr);
    const mail = JSON.parse(listed.stdout.trim().split('\n')[0]!);
    assert.equal(mail.to, 'mail@example.com');
    assert.match(mail.text, /confirm-password-reset\//);
  });
});
