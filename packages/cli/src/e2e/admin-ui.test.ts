import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { openBrowserPage, type BrowserPage } from '../testing/browser.fixture.js';
import { pngImage } from '../testing/file-collections.fixture.js';

/** "Within a second", with room for a loaded CI machine: the stream itself flushes every 100 ms. */
const FLOW_DEADLINE_MS = 3_000;

/** A request from another client than the browser: a guest over plain HTTP. */
async function guestFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  assert.ok(response.ok, `${init.method ?? 'GET'} ${url}: ${response.status} ${await response.clone().text()}`);
  return response;
}

/** A superuser's bearer token, for checks made beside the browser. */
async function superuserToken(url: string): Promise<string> {
  const response = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: fixtureSuperuser.email, password: fixtureSuperuser.password }),
  });
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/_/`);
  await page.getByLabel('Email').fill(fixtureSuperuser.email);
  await page.getByLabel('Password').fill(fixtureSuperuser.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

async function createNotesCollection(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'New collection' }).click();
  await page.getByLabel('Name', { exact: true }).fill('notes');
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.getByLabel('Field name').fill('title');
  for (const rule of ['listRule', 'viewRule', 'createRule']) {
    const group = page.getByRole('group', { name: rule });
    await group.getByLabel('Locked (superusers only)').uncheck();
    if (rule === 'listRule') await group.getByLabel(/expression/).fill('title != "secret"');
  }
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'notes' }).waitFor();
}

async function addRecord(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'New record' }).click();
  await page.getByRole('form', { name: 'New record' }).getByLabel('title').fill(title);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('cell', { name: title, exact: true }).waitFor();
}

describe('the admin UI in Chromium', { timeout: 120_000 }, () => {
  let fixture: ServeFixture;
  let browser: BrowserPage;
  let url: string;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, requestLog: true });
    url = fixture.server.url;
    browser = await openBrowserPage();
  });
  after(async () => {
    await browser?.close();
    await fixture?.dispose();
  });

  it('signs a superuser in with a cookie session', async () => {
    await browser.page.goto(`${url}/_/`);
    await browser.screenshot('sign-in');
    await signIn(browser.page, url);
    const cookies = await browser.page.context().cookies();
    assert.ok(cookies.some((cookie) => cookie.name === '__Host-tandem_session' && cookie.httpOnly));
    await browser.screenshot('collections');
  });

  it('creates a collection with a rule, adds records and filters them', async () => {
    const { page } = browser;
    await createNotesCollection(page);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await addRecord(page, 'alpha');
    await addRecord(page, 'beta');
    await page.getByLabel('Filter').fill('title = "beta"');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('cell', { name: 'alpha', exact: true }).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('cell', { name: 'beta', exact: true }).count(), 1);
    const collection = (await (await guestFetch(`${url}/api/collections/notes/records`)).json()) as {
      items: unknown[];
    };
    assert.equal(collection.items.length, 2, 'the list rule lets guests list');
    await page.getByRole('link', { name: 'Edit schema' }).click();
    await page
      .getByRole('group', { name: 'listRule' })
      .getByLabel(/expression/)
      .waitFor();
    await browser.screenshot('collection-schema');
    await page.goBack();
  });

  it('shows a record created by another client in the open table', async () => {
    const { page } = browser;
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await guestFetch(`${url}/api/collections/notes/records`, {
      method: 'POST',
      body: JSON.stringify({ title: 'from another client' }),
    });
    await page.getByRole('cell', { name: 'from another client', exact: true }).waitFor({ timeout: 5_000 });
    await browser.screenshot('records');
  });

  it("draws another client's request on the Flow page within a second, with its stages", async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Flow' }).click();
    await page.getByRole('status').filter({ hasText: 'Streaming' }).waitFor();
    const fired = Date.now();
    await guestFetch(`${url}/api/collections/notes/records?filter=${encodeURIComponent('title != ""')}`);
    const item = page.getByRole('button', { name: /GET \/api\/collections\/notes\/records/ });
    await item.first().waitFor({ timeout: FLOW_DEADLINE_MS });
    assert.ok(Date.now() - fired < FLOW_DEADLINE_MS);
    await item.first().click();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('notes.listRule: applied as a condition').waitFor();
    await timeline.getByRole('row', { name: /Cache miss/ }).waitFor();
    await timeline.getByRole('row', { name: /Auth .*guest/ }).waitFor();
    await browser.screenshot('flow');
  });

  it('shows a write and its realtime fan-out on the Flow page', async () => {
    const { page } = browser;
    await guestFetch(`${url}/api/collections/notes/records`, { method: 'POST', body: JSON.stringify({ title: 'w' }) });
    await page
      .getByRole('button', { name: /POST \/api\/collections\/notes\/records/ })
      .first()
      .click();
    await page
      .getByRole('region', { name: 'Timeline' })
      .getByText(/seq \d+, create/)
      .waitFor();
  });

  it('opens the settings and metrics pages', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel(/Settings \(JSON/).waitFor();
    const settings = page.getByLabel(/Settings \(JSON/);
    for (let tries = 0; !(await settings.inputValue()).includes('{'); tries++) {
      assert.ok(tries < 50, 'the settings were loaded');
      await page.waitForTimeout(100);
    }
    await page.getByText('TLS is off: this server speaks plain HTTP').waitFor();
    await browser.screenshot('settings');
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    await page.locator('.metrics li').first().waitFor();
    await browser.screenshot('metrics');
  });

  it('creates a collection with a file field through its typed options and uploads an image with a preview', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByRole('link', { name: 'New collection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('albums');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field name').fill('photos');
    await page.getByLabel('Field type').selectOption('file');
    await page.getByLabel('photos: Max files').fill('3');
    await page.getByLabel(/photos: Allowed MIME types/).fill('image/png');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'albums' }).waitFor();
    const schema = (await (
      await fetch(`${url}/api/collections/albums`, { headers: { authorization: await superuserToken(url) } })
    ).json()) as { fields: Array<{ name: string; maxSelect?: number; mimeTypes?: string[] }> };
    const photos = schema.fields.find((f) => f.name === 'photos');
    assert.equal(photos?.maxSelect, 3);
    assert.deepEqual(photos?.mimeTypes, ['image/png']);
    await page.getByRole('button', { name: 'New record' }).click();
    await page
      .getByLabel('Add files')
      .setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: await pngImage(8, 8) });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: /tiny_[a-z0-9]{10}\.png/ }).waitFor();
    await page
      .getByRole('button', { name: /^Edit / })
      .first()
      .click();
    // The preview is the server's 100x100 thumb of the upload: it loads as an image.
    const preview = page.getByRole('img', { name: /Preview of tiny_/ });
    const widthOf = () => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    for (let tries = 0; (await widthOf()) !== 100; tries++) {
      assert.ok(tries < 50, 'the preview loaded as a 100px thumb');
      await page.waitForTimeout(100);
    }
    await browser.screenshot('record-files');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates a view collection from a query and lists its rows', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByRole('link', { name: 'New collection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('note_titles');
    await page.getByLabel('Type').selectOption('view');
    await page.getByLabel(/View query/).fill('SELECT id, title FROM notes');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'note_titles' }).waitFor();
    await page.getByRole('cell', { name: 'alpha', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New record' }).count(), 0, 'a view is read-only');
    await browser.screenshot('view-collection');
  });

  it('lists the stored request log with a filter and opens an entry', async () => {
    const { page } = browser;
    await guestFetch(`${url}/api/collections/notes/records?filter=${encodeURIComponent('title = "log me"')}`);
    await fetch(`${url}/api/collections/no_such_collection/records`);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await page.getByRole('textbox', { name: 'Filter' }).fill('data.status >= 400');
    // Entries are written in batches every half second: apply until the 404 shows.
    const missing = page.getByRole('cell', { name: '/api/collections/no_such_collection/records', exact: true });
    const caption = page.getByText(/(entry|entries), page 1/);
    for (let tries = 0; ; tries++) {
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForTimeout(200);
      if ((await missing.count()) > 0 && ((await caption.textContent()) ?? '').match(/^(\d+) entr/)?.[1] !== '0') break;
      assert.ok(tries < 30, `the 404 reached the stored log: ${await page.locator('main').textContent()}`);
    }
    const statuses = await page.locator('tbody tr td:nth-child(4)').allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((status) => Number(status) >= 400), statuses.join(','));
    await page.getByRole('img', { name: /Requests per hour/ }).waitFor();
    await page
      .getByRole('button', { name: /^Details of / })
      .first()
      .click();
    await page.getByRole('region', { name: 'Log entry' }).getByText('"status": 404').waitFor();
    await browser.screenshot('logs');
  });

  it('reported no console errors on any page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
