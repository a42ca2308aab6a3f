import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Meeting, QualityReport } from '../../client/api.ts';
import {
  contextFor,
  createRoom,
  dailyFrame,
  env,
  launch,
  openJoinPage,
  playDailyCall,
  screenshots,
  uniqueName,
  wherebyEvent,
} from './helpers.ts';

// SPEC §13 through both room components and the stand-ins' frames: the call is joined, the
// provider's frame reports a degraded spell (through the stand-ins' control API, in the
// providers' own formats), and the beacon the page sends when the person leaves or the page
// hides carries what happened; a failed join says why; the rating is asked once.

const OWNER = 'quality-owner';
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

interface Beacon {
  report: QualityReport;
  status: number | null;
}

/** The call-quality reports the context's pages send, with the API's answer to each. */
function beaconsOf(context: BrowserContext): Beacon[] {
  const seen: Beacon[] = [];
  context.on('requestfinished', async (request) => {
    if (request.method() !== 'POST' || !/\/v1\/meetings\/[^/]+\/quality$/.test(request.url())) return;
    const response = await request.response();
    seen.push({ report: JSON.parse(request.postData() ?? '{}') as QualityReport, status: response?.status() ?? null });
  });
  return seen;
}

async function control(origin: string, path: string, body: unknown) {
  const response = await fetch(`${origin}/__control${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
}

const roomPath = (meeting: Meeting) => new URL(meeting.room_url).pathname;
const seconds = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function lastBeacon(beacons: Beacon[], count: number): Promise<Beacon> {
  const deadline = Date.now() + 10_000;
  while (beacons.length < count && Date.now() < deadline) await seconds(100);
  const beacon = beacons.at(-1);
  if (!beacon || beacons.length < count) throw new Error(`expected ${count} beacons, saw ${beacons.length}`);
  return beacon;
}

async function wherebyFrame(page: Page): Promise<Frame> {
  const element = page.locator('iframe.call-frame');
  await element.waitFor();
  const frame = await (await element.elementHandle())?.contentFrame();
  if (!frame) throw new Error('no Whereby frame');
  await frame.waitForLoadState('load');
  return frame;
}

describe('call quality from the room components', () => {
  it('Daily: a degraded spell from the frame, then Leave: the beacon says joined, how fast, how long degraded', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('cq-daily'), platform: 'daily', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const beacons = beaconsOf(context);
    const page = await context.newPage();
    const meeting = await openJoinPage(page, room.name);
    const { frame } = await dailyFrame(page);
    await playDailyCall(frame);
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();

    const name = roomPath(meeting).slice(1);
    await control(env.daily, '/daily/frames/network-quality', { room: name, state: 'bad' });
    await seconds(2_000);
    await control(env.daily, '/daily/frames/network-quality', { room: name, state: 'good' });
    await seconds(500);
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('heading', { name: `You left ${room.name}` }).waitFor();

    const { report, status } = await lastBeacon(beacons, 1);
    expect(status).toBe(202);
    expect(report).toMatchObject({ joined: true, report_key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(report.seconds_to_join).toBeGreaterThan(0);
    // The spell was about 2 s: the frame's 250 ms polls blur each edge a little.
    expect(report.degraded_seconds).toBeGreaterThanOrEqual(1.4);
    expect(report.degraded_seconds).toBeLessThanOrEqual(2.8);
    expect(report.connected_seconds).toBeGreaterThan(report.degraded_seconds ?? 0);
    await context.close();
  });

  it('Daily: a join the frame fails reports joined false with Daily’s error type', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('cq-fail'), platform: 'daily', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const beacons = beaconsOf(context);
    const page = await context.newPage();
    const meeting = await openJoinPage(page, room.name);
    await dailyFrame(page);
    await control(env.daily, '/daily/frames/fatal-error', {
      room: roomPath(meeting).slice(1),
      type: 'meeting-full',
      errorMsg: 'Meeting is full',
    });
    await page.getByRole('heading', { name: 'This meeting is full' }).waitFor();
    const { report, status } = await lastBeacon(beacons, 1);
    expect(status).toBe(202);
    expect(report).toEqual({ joined: false, failure_reason: 'meeting-full', report_key: expect.any(String) });
    await context.close();
  });

  it('Whereby: connection_status_change unstable counts as degraded, and a hidden page sends the figures', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('cq-wb'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const beacons = beaconsOf(context);
    const page = await context.newPage();
    const meeting = await openJoinPage(page, room.name);
    const frame = await wherebyFrame(page);
    await wherebyEvent(frame, 'join');
    await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
    const path = roomPath(meeting);
    await control(env.whereby, '/whereby/frames/event', {
      room: path,
      type: 'connection_status_change',
      payload: { status: 'unstable' },
    });
    await seconds(1_500);
    await control(env.whereby, '/whereby/frames/event', {
      room: path,
      type: 'connection_status_change',
      payload: { status: 'stable' },
    });
    await seconds(500);

    // The page hides (another app on a phone): visibilitychange to hidden, the signal phones give.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const { report, status } = await lastBeacon(beacons, 1);
    expect(status).toBe(202);
    expect(report).toMatchObject({ joined: true });
    expect(report.degraded_seconds).toBeGreaterThanOrEqual(0.9);
    expect(report.degraded_seconds).toBeLessThanOrEqual(2.3);
    await context.close();
  });

  it('asks for a rating once per meeting: sent from the keyboard, not asked again after Rejoin', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('cq-rate'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null, 360);
    const page = await context.newPage();
    await openJoinPage(page, room.name);
    await wherebyEvent(await wherebyFrame(page), 'join');
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    const heading = page.getByRole('heading', { name: `You left ${room.name}` });
    await heading.waitFor();
    const question = page.getByRole('group', { name: 'How was the call?' });
    await question.waitFor();
    // The heading keeps the focus; the rating is reached from the keyboard, arrows move the choice.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.getByRole('radio', { name: '3, fair' }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '4, good' }).isChecked()).toBe(true);
    await page.getByLabel('Anything to add? (optional)').fill('A little echo.');
    await screenshots(page, 'rate-call');
    const sent = page.waitForResponse((response) => response.url().endsWith('/rating'));
    await page.getByRole('button', { name: 'Send' }).click();
    expect((await sent).status()).toBe(202);
    expect(JSON.parse((await sent).request().postData() ?? '{}')).toMatchObject({
      rating: 4,
      comment: 'A little echo.',
    });
    await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();

    await page.getByRole('button', { name: `Rejoin ${room.name}` }).click();
    await wherebyEvent(await wherebyFrame(page), 'join');
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await heading.waitFor();
    await page.waitForTimeout(500);
    expect(await question.count()).toBe(0);
    await context.close();
  });
});
