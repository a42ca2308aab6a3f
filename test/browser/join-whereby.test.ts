import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunksOf,
  contextFor,
  createRoom,
  env,
  launch,
  openJoinPage,
  screenshots,
  uniqueName,
  wherebyEvent,
} from './helpers.ts';

const OWNER = 'whereby-owner';
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function wherebyFrame(page: import('playwright-core').Page) {
  const element = page.locator('iframe.call-frame');
  await element.waitFor();
  const frame = await (await element.elementHandle())?.contentFrame();
  if (!frame) throw new Error('no Whereby frame');
  await frame.waitForLoadState('load');
  return { src: (await element.getAttribute('src')) ?? '', allow: (await element.getAttribute('allow')) ?? '', frame };
}

describe('joining a Whereby room', () => {
  it('embeds the room URL with the documented parameters, and downloads only the Whereby chunk', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('wb'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const chunks = chunksOf(page);
    const meeting = await openJoinPage(page, room.name);
    expect(meeting.platform).toBe('whereby');
    expect(meeting.host_room_url).toBe('');

    const { src, allow, frame } = await wherebyFrame(page);
    const url = new URL(src);
    expect(url.origin + url.pathname).toBe(meeting.room_url);
    expect(url.origin).toBe(env.whereby);
    expect(url.searchParams.get('leaveButton')).toBe('on');
    expect(url.searchParams.has('minimal')).toBe(true);
    expect(url.searchParams.has('roomKey')).toBe(false);
    expect(allow).toBe('camera; microphone; fullscreen; display-capture; autoplay');
    // The stand-in answers for a room it created: the frame shows that room.
    expect(await frame.title()).toContain('Local Whereby stand-in room');
    expect(chunks.has('WherebyRoom')).toBe(true);
    expect(chunks.has('DailyRoom')).toBe(false);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(room.name);
    await screenshots(page, 'join-whereby');
    await context.close();
  });

  it('gives the owner the host link and a guest the plain room link', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('wb-host'), platform: 'whereby', recording_type: 'none' });
    const owner = await contextFor(browser, OWNER);
    const ownerPage = await owner.newPage();
    const ownerMeeting = await openJoinPage(ownerPage, room.name);
    expect(ownerMeeting.host_room_url).toMatch(/roomKey=/);
    const ownerSrc = new URL((await wherebyFrame(ownerPage)).src);
    expect(ownerSrc.searchParams.get('roomKey')).toBe(new URL(ownerMeeting.host_room_url).searchParams.get('roomKey'));

    const guest = await contextFor(browser, null);
    const guestPage = await guest.newPage();
    const guestMeeting = await openJoinPage(guestPage, room.name);
    expect(guestMeeting.id).toBe(ownerMeeting.id);
    expect(guestMeeting.host_room_url).toBe('');
    const guestSrc = new URL((await wherebyFrame(guestPage)).src);
    expect(guestSrc.searchParams.has('roomKey')).toBe(false);
    expect(guestSrc.pathname).toBe(ownerSrc.pathname);

    // Another signed-in user is a guest too.
    const other = await contextFor(browser, 'someone-else');
    const otherPage = await other.newPage();
    expect((await openJoinPage(otherPage, room.name)).host_room_url).toBe('');
    await Promise.all([owner.close(), guest.close(), other.close()]);
  });

  it('goes to the “you left” page when the room reports leave, and back in from there', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('wb-leave'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const meeting = await openJoinPage(page, room.name);
    const { frame } = await wherebyFrame(page);
    await wherebyEvent(frame, 'join');
    await wherebyEvent(frame, 'leave', { removed: false });
    await page.getByRole('heading', { name: `You left ${room.name}` }).waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    await screenshots(page, 'you-left');

    const again = page.waitForResponse((response) => response.url().endsWith(`/v1/rooms/${room.name}/meeting`));
    await page.getByRole('button', { name: `Rejoin ${room.name}` }).click();
    expect(((await (await again).json()) as { id: string }).id).toBe(meeting.id);
    await wherebyFrame(page);
    expect(await page.locator('iframe').count()).toBe(1);
    await context.close();
  });

  it('ignores messages from other origins, and leaves with its own Leave button', async () => {
    const room = await createRoom(OWNER, {
      name: uniqueName('wb-own-leave'),
      platform: 'whereby',
      recording_type: 'none',
    });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    await wherebyFrame(page);
    // A message from the page itself (not the room's frame) must not end the call.
    await page.evaluate(() => window.postMessage({ type: 'leave', payload: {} }, '*'));
    await page.waitForTimeout(200);
    expect(await page.locator('iframe.call-frame').count()).toBe(1);

    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('heading', { name: `You left ${room.name}` }).waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    await context.close();
  });

  it('says so when the host ends the meeting', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('wb-end'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    const { frame } = await wherebyFrame(page);
    await wherebyEvent(frame, 'meeting_end');
    await page.getByRole('heading', { name: 'The meeting has ended' }).waitFor();
    expect(await page.getByRole('button', { name: 'Join again' }).isVisible()).toBe(true);
    await context.close();
  });
});
