import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunksOf,
  contextFor,
  createRoom,
  env,
  injectFault,
  launch,
  openJoinPage,
  screenshots,
  uniqueName,
} from './helpers.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the start page', () => {
  it('takes a typed room name to its join page', async () => {
    const room = await createRoom('pages-owner', { name: uniqueName('typed'), recording_type: 'none' });
    const context = await contextFor(browser, null, 360);
    const page = await context.newPage();
    await page.goto('/');
    await screenshots(page, 'home');
    await page.getByLabel('Room name').fill(room.name.toUpperCase());
    const meeting = page.waitForResponse((response) => response.url().endsWith(`/v1/rooms/${room.name}/meeting`));
    await page.getByRole('button', { name: 'Join' }).click();
    expect((await meeting).status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/${room.name}`);
    await page.locator('iframe.call-frame').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await context.close();
  });
});

describe('the join page’s error states', () => {
  it('says when there is no such room', async () => {
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await page.goto('/no-such-room');
    await page.getByRole('heading', { name: 'There is no room called “no-such-room”' }).waitFor();
    await screenshots(page, 'room-not-found');
    await context.close();
  });

  it('says when the provider is unavailable, and joins on Try again', async () => {
    const room = await createRoom('pages-owner', {
      name: uniqueName('flaky'),
      platform: 'whereby',
      recording_type: 'none',
    });
    // The Worker tries a provider three times on a 5xx before it gives up; with Daily down too,
    // there is nowhere to fail over to.
    await injectFault(env.whereby, { method: 'POST', path: '^/v1/meetings$', status: 503, times: 3 });
    await injectFault(env.daily, { method: 'POST', path: '^/v1/rooms$', status: 503, times: 3 });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await page.goto(`/${room.name}`);
    await page.getByRole('heading', { name: 'The video service is not available right now' }).waitFor();
    await screenshots(page, 'provider-unavailable');
    // A try again is a fresh try: the provider, well again, is asked at once.
    const again = page.waitForResponse((response) => response.url().endsWith(`/v1/rooms/${room.name}/meeting`));
    await page.getByRole('button', { name: 'Try again' }).click();
    expect((await again).status()).toBe(200);
    await page.locator('iframe.call-frame').waitFor();
    await context.close();
  });

  it('shows the call of the platform a meeting failed over to (SPEC §9)', async () => {
    const room = await createRoom('pages-owner', {
      name: uniqueName('rescued'),
      platform: 'daily',
      recording_type: 'none',
    });
    await injectFault(env.daily, { method: 'POST', path: '^/v1/rooms$', status: 503, times: 3 });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const chunks = chunksOf(page);
    const meeting = await openJoinPage(page, room.name);
    expect(meeting).toMatchObject({ platform: 'whereby', failover_from: 'daily' });
    await page.locator('iframe.call-frame').waitFor();
    expect(await page.locator('iframe.call-frame').getAttribute('src')).toContain(new URL(meeting.room_url).pathname);
    expect(chunks.has('WherebyRoom')).toBe(true);
    expect(chunks.has('DailyRoom')).toBe(false);
    await context.close();
  });

  it('says when the service cannot be reached', async () => {
    const room = await createRoom('pages-owner', { name: uniqueName('offline'), recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await page.route(/\/v1\/rooms\/[^/]+\/meeting$/, (route) => route.abort('internetdisconnected'));
    await page.goto(`/${room.name}`);
    await page.getByRole('heading', { name: 'The meeting service could not be reached' }).waitFor();
    await page.unroute(/\/v1\/rooms\/[^/]+\/meeting$/);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('iframe.call-frame').waitFor();
    await context.close();
  });

  it('says when the join itself fails (a meeting token Daily could not mint), and joins on Try again', async () => {
    const room = await createRoom('pages-owner', {
      name: uniqueName('join-fails'),
      platform: 'daily',
      recording_type: 'none',
    });
    const context = await contextFor(browser, 'pages-guest', 1280, { name: 'Ada' });
    const page = await context.newPage();
    const join = /\/v1\/rooms\/[^/]+\/meetings\/[^/]+\/join$/;
    await page.route(join, (route) =>
      route.fulfill({
        status: 503,
        json: {
          detail: 'Daily could not mint a meeting token: it answered 500.',
          code: 'provider-unavailable',
          request_id: 'r',
        },
      }),
    );
    await page.goto(`/${room.name}`);
    await page.getByRole('heading', { name: 'The video service is not available right now' }).waitFor();
    await page.getByText('Daily could not mint a meeting token').waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    await page.unroute(join);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('iframe').waitFor();
    await context.close();
  });

  it('shows that it is joining while the API works', async () => {
    const room = await createRoom('pages-owner', { name: uniqueName('slow'), recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/v1\/rooms\/[^/]+\/meeting$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/${room.name}`);
    await page.getByRole('status').filter({ hasText: 'Joining the meeting' }).waitFor();
    await screenshots(page, 'join-loading');
    release();
    await page.locator('iframe.call-frame').waitFor();
    await context.close();
  });

  it('answers an unknown page with a page of its own', async () => {
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const response = await page.goto('/a/b/c');
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await context.close();
  });
});
