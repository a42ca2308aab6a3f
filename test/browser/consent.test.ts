import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_KEY_PATTERN } from '../../domain/rooms.ts';
import { contextFor, createRoom, launch, openJoinPage, screenshots, uniqueName } from './helpers.ts';

const OWNER = 'consent-owner';
const QUESTION = "May we store this meeting's audio recording?";
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const isConsent = (request: Request) =>
  request.method() === 'POST' && /\/v1\/meetings\/[^/]+\/consent$/.test(request.url());

describe('recording consent', () => {
  it('is asked through a visible control, answered once, posted, and remembered in this browser', async () => {
    const room = await createRoom(OWNER, {
      name: uniqueName('rec'),
      platform: 'whereby',
      recording_type: 'cloud',
      skip_consent: false,
    });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const posts: Request[] = [];
    page.on('request', (request) => isConsent(request) && posts.push(request));
    const meeting = await openJoinPage(page, room.name);

    // Non-blocking: the call is there, and so is the control.
    await page.locator('iframe.call-frame').waitFor();
    const control = page.getByRole('button', { name: 'This meeting is recorded' });
    await control.waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Focus moves into the dialog, and Escape brings it back to the control.
    await control.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: QUESTION });
    await dialog.waitFor();
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    await screenshots(page, 'consent-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await control.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(posts).toHaveLength(0);

    // Answer "no" with the keyboard alone.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('No, delete it after transcription');
    const answered = page.waitForResponse((response) => isConsent(response.request()));
    await page.keyboard.press('Enter');
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.request().url()).toMatch(new RegExp(`/v1/meetings/${meeting.id}/consent$`));
    // With this browser's consent key, so that the API keeps one answer per browser (SPEC §14).
    const sent = response.request().postDataJSON() as { consent_given: boolean; consent_key: string };
    expect(sent).toEqual({ consent_given: false, consent_key: expect.stringMatching(CONSENT_KEY_PATTERN) });
    expect(await page.evaluate(() => localStorage.getItem('meeting-rooms:consent-key'))).toBe(sent.consent_key);
    expect(((await response.json()) as { status: string }).status).toBe('success');

    const indicator = page.getByRole('status').filter({ hasText: 'Recording' });
    await indicator.waitFor();
    expect(await control.count()).toBe(0);
    await screenshots(page, 'consent-answered');

    // The same meeting again in this browser: not asked again.
    await openJoinPage(page, room.name);
    await indicator.waitFor();
    expect(await control.count()).toBe(0);
    expect(posts).toHaveLength(1);

    // Another browser is asked, and its "yes" is posted as such.
    const other = await contextFor(browser, null);
    const otherPage = await other.newPage();
    await openJoinPage(otherPage, room.name);
    await otherPage.getByRole('button', { name: 'This meeting is recorded' }).click();
    const yes = otherPage.waitForRequest(isConsent);
    await otherPage.getByRole('button', { name: 'Yes, store the audio' }).click();
    const otherSent = (await yes).postDataJSON() as { consent_given: boolean; consent_key: string };
    expect(otherSent).toEqual({ consent_given: true, consent_key: expect.stringMatching(CONSENT_KEY_PATTERN) });
    expect(otherSent.consent_key).not.toBe(sent.consent_key);
    await otherPage.getByRole('status').filter({ hasText: 'Recording' }).waitFor();
    await Promise.all([context.close(), other.close()]);
  });

  it('is not asked in a room that skips consent, nor in one not recorded in the cloud', async () => {
    for (const settings of [
      { recording_type: 'cloud', skip_consent: true },
      { recording_type: 'local', skip_consent: false },
    ] as const) {
      const room = await createRoom(OWNER, { name: uniqueName('norec'), platform: 'whereby', ...settings });
      const context = await contextFor(browser, null);
      const page = await context.newPage();
      const posts: Request[] = [];
      page.on('request', (request) => isConsent(request) && posts.push(request));
      await openJoinPage(page, room.name);
      await page.locator('iframe.call-frame').waitFor();
      expect(await page.getByRole('button', { name: 'This meeting is recorded' }).count()).toBe(0);
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(posts).toHaveLength(0);
      await context.close();
    }
  });
});
