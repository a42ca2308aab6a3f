import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunksOf,
  contextFor,
  createRoom,
  dailyFrame,
  dailyMessages,
  env,
  failDailyCall,
  launch,
  openJoinPage,
  playDailyCall,
  screenshots,
  uniqueName,
} from './helpers.ts';

// What these tests can prove offline: the page loads daily-js on demand, createFrame makes one
// iframe on the meeting's URL (with the owner's token only for the owner), join() hands daily-js
// the right url and token, and the page reacts to the events daily-js emits (joined-meeting,
// left-meeting, error) by their documented names, destroying the frame when it goes. Daily's
// real call UI is not here: a test speaks its side of daily-js's frame messages (helpers.ts).

const OWNER = 'daily-owner';
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function dailyRoom() {
  return createRoom(OWNER, { name: uniqueName('dl'), platform: 'daily', recording_type: 'none' });
}

const frames = (page: Page) => page.locator('iframe').count();

describe('joining a Daily room', () => {
  it('creates one daily-js frame on the meeting URL, downloading daily-js only now', async () => {
    const room = await dailyRoom();
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const chunks = chunksOf(page);
    const meeting = await openJoinPage(page, room.name);
    expect(meeting.platform).toBe('daily');
    const { src, frame } = await dailyFrame(page);
    const url = new URL(src);
    expect(url.origin + url.pathname).toBe(meeting.room_url);
    expect(url.origin).toBe(env.daily);
    expect(url.searchParams.has('t')).toBe(false);
    // daily-js's own marks: its call-client id and the embedding page.
    expect(url.searchParams.get('emb')).toBeTruthy();
    expect(decodeURIComponent(url.searchParams.get('embHref') ?? '')).toBe(`${env.url}/${room.name}`);
    expect(chunks.has('DailyRoom')).toBe(true);
    expect(chunks.has('WherebyRoom')).toBe(false);
    expect(await frames(page)).toBe(1);

    await playDailyCall(frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    const join = (await dailyMessages(frame)).find((message) => message.action === 'join-meeting');
    expect(join?.properties?.url).toBe(meeting.room_url);
    expect(join?.properties?.token).toBeUndefined();
    expect(join?.properties?.showLeaveButton).toBe(true);
    await screenshots(page, 'join-daily');
    await context.close();
  });

  it('joins the owner with the owner token and a guest without one', async () => {
    const room = await dailyRoom();
    const owner = await contextFor(browser, OWNER);
    const ownerPage = await owner.newPage();
    const ownerMeeting = await openJoinPage(ownerPage, room.name);
    const token = new URL(ownerMeeting.room_url).searchParams.get('t');
    expect(token).toBeTruthy();
    const ownerFrame = await dailyFrame(ownerPage);
    expect(new URL(ownerFrame.src).searchParams.get('t')).toBe(token);
    await playDailyCall(ownerFrame.frame);
    await ownerPage.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    const join = (await dailyMessages(ownerFrame.frame)).find((message) => message.action === 'join-meeting');
    expect(join?.properties?.token).toBe(token);
    expect(join?.properties?.url).toBe(ownerMeeting.room_url.split('?')[0]);

    const guest = await contextFor(browser, null);
    const guestPage = await guest.newPage();
    const guestMeeting = await openJoinPage(guestPage, room.name);
    expect(guestMeeting.id).toBe(ownerMeeting.id);
    expect(new URL(guestMeeting.room_url).searchParams.has('t')).toBe(false);
    expect(new URL((await dailyFrame(guestPage)).src).searchParams.has('t')).toBe(false);
    await Promise.all([owner.close(), guest.close()]);
  });

  it('joins a signed-in person with a token of their own, naming them by their sub and name', async () => {
    const room = await dailyRoom();
    const context = await contextFor(browser, 'ada-sub', 1280, { name: 'Ada Lovelace' });
    const page = await context.newPage();
    const meeting = await openJoinPage(page, room.name);
    const token = new URL(meeting.room_url).searchParams.get('t');
    const { frame } = await dailyFrame(page);
    await playDailyCall(frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    const join = (await dailyMessages(frame)).find((message) => message.action === 'join-meeting');
    expect(join?.properties?.token).toBe(token);
    // The stand-in's token carries the properties it was minted with.
    const minted = JSON.parse(Buffer.from(String(token).split('.')[0] ?? '', 'base64url').toString());
    expect(minted).toMatchObject({ user_id: 'ada-sub', user_name: 'Ada Lovelace', is_owner: false });
    await context.close();
  });

  it('leaves through daily-js: left-meeting leads to “you left” and the frame is destroyed', async () => {
    const room = await dailyRoom();
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    const { frame } = await dailyFrame(page);
    await playDailyCall(frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();

    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('heading', { name: `You left ${room.name}` }).waitFor();
    expect(await frames(page)).toBe(0);
    expect(
      await page.evaluate(
        () => Object.keys((window as unknown as { _daily?: { instances: object } })._daily?.instances ?? {}).length,
      ),
    ).toBe(0);

    // Back in: a new frame, never two.
    await page.getByRole('button', { name: `Rejoin ${room.name}` }).click();
    const again = await dailyFrame(page);
    expect(await frames(page)).toBe(1);
    await playDailyCall(again.frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    await context.close();
  });

  it('still leaves, and still removes the frame, when the frame never answers', async () => {
    const room = await dailyRoom();
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    const { frame } = await dailyFrame(page);
    await playDailyCall(frame, { answerLeave: false });
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('heading', { name: `You left ${room.name}` }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('iframe').length === 0, undefined, { timeout: 10_000 });

    await page.getByRole('button', { name: `Rejoin ${room.name}` }).click();
    await dailyFrame(page);
    expect(await frames(page)).toBe(1);
    await context.close();
  });

  it.each([
    ['ejected', 'You were removed from the meeting'],
    ['exp-room', 'This meeting has ended'],
    ['meeting-full', 'This meeting is full'],
    ['not-allowed', 'You are not allowed into this meeting'],
    ['connection-error', 'Could not connect to the call'],
  ])('turns a fatal %s error into “%s” with a way back in', async (type, title) => {
    const room = await dailyRoom();
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    const { frame } = await dailyFrame(page);
    await playDailyCall(frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    await failDailyCall(frame, type, `Daily says ${type}`);
    await page.getByRole('heading', { name: title }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('iframe').length === 0);
    if (type === 'ejected') await screenshots(page, 'daily-fatal-error');

    await page.getByRole('button', { name: 'Join again' }).click();
    await dailyFrame(page);
    expect(await frames(page)).toBe(1);
    await context.close();
  });

  it('says so when daily-js cannot be downloaded, and recovers on Try again', async () => {
    const room = await dailyRoom();
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await page.route(/\/assets\/DailyRoom-[\w-]+\.js$/, (route) => route.abort('internetdisconnected'));
    await openJoinPage(page, room.name);
    await page.getByRole('heading', { name: 'The video call could not be loaded' }).waitFor();
    expect(await frames(page)).toBe(0);
    await screenshots(page, 'sdk-failed');

    await page.unroute(/\/assets\/DailyRoom-[\w-]+\.js$/);
    await page.getByRole('button', { name: 'Try again' }).click();
    await dailyFrame(page);
    expect(await frames(page)).toBe(1);
    await context.close();
  });
});
