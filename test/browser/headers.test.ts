import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Meeting } from '../../client/api.ts';
import { cspDirectives } from '../csp.ts';
import {
  contextFor,
  createRoom,
  dailyFrame,
  env,
  launch,
  openJoinPage,
  playDailyCall,
  uniqueName,
  wherebyEvent,
} from './helpers.ts';

// The pages' security headers (SPEC §14) as Chromium gets them from the locally started product,
// the join pages of both platforms working under that policy with no violation at all, and the
// page refusing to frame a room URL that is not the provider's.

const OWNER = 'headers-owner';
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Every Content-Security-Policy violation the page's documents report, and the console's word of them. */
async function watchViolations(context: BrowserContext, page: Page) {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
  });
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    if (/content security policy|permissions policy|permissions-policy/i.test(message.text()))
      consoleLines.push(message.text());
  });
  return {
    consoleLines,
    violations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
  };
}

describe('the pages’ security headers', () => {
  it('come with the join page, its scripts and its API answers', async () => {
    const room = await createRoom(OWNER, { name: uniqueName('hdr'), platform: 'whereby', recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const scripts: { url: string; headers: Record<string, string> }[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script')
        scripts.push({ url: response.url(), headers: response.headers() });
    });
    const meetingAnswer = page.waitForResponse((response) => response.url().endsWith(`/v1/rooms/${room.name}/meeting`));
    const document = await page.goto(`/${room.name}`);
    const headers = document?.headers() ?? {};

    // Development (npm start): the providers' rooms and the local stand-ins' on a loopback address.
    const csp = cspDirectives(headers['content-security-policy']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('frame-src')).toEqual([
      'https://*.whereby.com',
      'https://*.daily.co',
      'http://127.0.0.1:*',
      'http://localhost:*',
    ]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers['permissions-policy']).toContain('camera=(self "https://*.whereby.com" "https://*.daily.co")');
    expect(headers['permissions-policy']).toContain('display-capture=(self');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');

    const api = (await meetingAnswer).headers();
    expect(api['cache-control']).toBe('no-store');
    expect(api['x-content-type-options']).toBe('nosniff');

    await page.locator('iframe.call-frame').waitFor();
    const own = scripts.filter((script) => new URL(script.url).origin === env.url);
    expect(own.length).toBeGreaterThan(0);
    for (const script of own) {
      expect(script.headers['x-content-type-options']).toBe('nosniff');
      expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    await context.close();
  });

  it('let a Whereby and a Daily call run without a single violation', async () => {
    for (const platform of ['whereby', 'daily'] as const) {
      const room = await createRoom(OWNER, { name: uniqueName(`csp-${platform}`), platform, recording_type: 'none' });
      const context = await contextFor(browser, null);
      const page = await context.newPage();
      const watched = await watchViolations(context, page);
      await openJoinPage(page, room.name);
      if (platform === 'daily') {
        const { frame } = await dailyFrame(page);
        await playDailyCall(frame);
      } else {
        const element = page.locator('iframe.call-frame');
        await element.waitFor();
        const frame = await (await element.elementHandle())?.contentFrame();
        if (!frame) throw new Error('no Whereby frame');
        await frame.waitForLoadState('load');
        await wherebyEvent(frame, 'join');
      }
      await page.getByRole('heading', { level: 1, name: /in the call/ }).waitFor();
      expect(await watched.violations()).toEqual([]);
      expect(watched.consoleLines).toEqual([]);
      await context.close();
    }
  });

  it('block a frame of any other site, whatever the page tried', async () => {
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const watched = await watchViolations(context, page);
    await page.goto('/');
    await page.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.src = 'https://evil.example/room';
      document.body.append(frame);
    });
    await expect.poll(watched.violations).toEqual(['frame-src https://evil.example']);
    await context.close();
  });

  it('let no site frame a page of ours', async () => {
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => message.text().includes('frame-ancestors') && refusals.push(message.text()));
    // A page of no policy of its own (as another site would be) framing the join page.
    await page.setContent(`<iframe src="${env.url}/some-room"></iframe>`);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    const framed = page.frames()[1];
    expect(await framed?.evaluate(() => document.querySelector('#app')).catch(() => null)).toBeFalsy();
    await context.close();
  });
});

describe('a room URL that is not the provider’s', () => {
  it.each([
    ['whereby', 'https://evil.example/standup'],
    ['whereby', 'javascript:alert(document.domain)'],
    ['daily', 'https://acme.whereby.com/standup'],
    ['daily', 'data:text/html,<h1>not Daily</h1>'],
  ] as const)('on %s (%s) is not framed: the page says the provider failed', async (platform, roomUrl) => {
    const room = await createRoom(OWNER, { name: uniqueName('evil'), platform, recording_type: 'none' });
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    // The join's answer (whose room_url the page mounts), tampered with on the way: the Worker
    // itself never sends such a URL.
    await page.route(`**/v1/rooms/${room.name}/meetings/*/join`, async (route) => {
      const response = await route.fetch();
      const meeting = (await response.json()) as Meeting;
      await route.fulfill({ response, json: { ...meeting, room_url: roomUrl } });
    });
    await page.goto(`/${room.name}`);
    await page.getByRole('heading', { name: 'The video service is not available right now' }).waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    await page.getByRole('button', { name: 'Join again' }).waitFor();
    await context.close();
  });
});
