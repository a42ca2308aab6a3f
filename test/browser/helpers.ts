import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { inject, onTestFailed } from 'vitest';
import type { Meeting, Room } from '../../client/api.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

export const env = inject('browserTestEnv');

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A JWT for `sub` (with more claims: a `name`) from the stand-in identity provider, as Cloudflare Access would issue one. */
export async function tokenFor(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  const { alg, kid, privateJwk } = env.identity.key;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setSubject(sub)
    .setIssuer(env.identity.issuer)
    .setAudience(env.identity.audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(await importJWK(privateJwk, alg));
}

/**
 * A browser profile: signed in as `sub` through the CF_Authorization cookie (what Cloudflare
 * Access sets), or anonymous. Pages of the product's origin only; other origins are the stand-ins.
 */
export async function contextFor(
  browser: Browser,
  sub: string | null,
  width = 1280,
  claims: Record<string, unknown> = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, baseURL: env.url });
  if (process.env.BROWSER_TEST_DEBUG) {
    context.on('console', (message) => console.log(`[browser ${message.type()}] ${message.text()}`));
    context.on('weberror', (error) => console.log(`[browser error] ${error.error().message}`));
    context.on(
      'requestfinished',
      (request) =>
        void request
          .response()
          .then((r) => console.log(`[browser] ${request.method()} ${request.url()} ${r?.status()}`)),
    );
  }
  if (sub)
    await context.addCookies([
      { name: 'CF_Authorization', value: await tokenFor(sub, claims), url: env.url, httpOnly: true, sameSite: 'Lax' },
    ]);
  // A failing test leaves what its pages showed, and the console of each, for a person to see.
  const consoleLines: string[] = [];
  context.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  onTestFailed(async ({ task }) => {
    const folder = join(env.results, 'failures');
    mkdirSync(folder, { recursive: true });
    const name = `${task.name.replace(/\W+/g, '-').slice(0, 60)}-${sub ?? 'guest'}`;
    await Promise.all(
      context.pages().map(async (page, index) => {
        await page.screenshot({ path: join(folder, `${name}-${index}.png`), fullPage: true }).catch(() => undefined);
        writeFileSync(
          join(folder, `${name}-${index}.txt`),
          `${page.url()}\n\n${consoleLines.join('\n')}\n\n${await page.content().catch(() => '')}`,
        );
      }),
    );
  });
  return context;
}

/** Calls the API directly (setting up what a test needs), as `sub` when given. */
export async function api<T>(
  method: string,
  path: string,
  options: { as?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (options.as) headers.authorization = `Bearer ${await tokenFor(options.as)}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${env.url}/v1${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

let counter = 0;
/** A room name no other test uses. */
export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function createRoom(owner: string, room: Partial<Room> & { name: string }): Promise<Room> {
  const { status, body } = await api<Room>('POST', '/rooms', { as: owner, body: room });
  if (status !== 201) throw new Error(`creating ${room.name} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Opens a join page and answers the meeting it mounts: the page asks for the room's meeting,
 * then joins it (POST .../meetings/{id}/join), whose answer carries this person's own links.
 */
export async function openJoinPage(page: Page, roomName: string): Promise<Meeting> {
  const joined = page.waitForResponse((response) =>
    new RegExp(`/v1/rooms/${roomName}/meetings/[^/]+/join$`).test(response.url()),
  );
  const meeting = page.waitForResponse((response) => response.url().endsWith(`/v1/rooms/${roomName}/meeting`));
  await page.goto(`/${roomName}`);
  const first = await meeting;
  if (!first.ok()) throw new Error(`the meeting request answered ${first.status()}`);
  const response = await joined;
  if (!response.ok()) throw new Error(`the join answered ${response.status()}`);
  return (await response.json()) as Meeting;
}

/** The script chunks a page downloaded, by name without hash (e.g. "DailyRoom"). */
export function chunksOf(page: Page): Set<string> {
  const chunks = new Set<string>();
  page.on('request', (request) => {
    const found = /\/assets\/([A-Za-z]+)-[\w-]+\.js$/.exec(new URL(request.url()).pathname);
    if (found?.[1]) chunks.add(found[1]);
  });
  return chunks;
}

/**
 * Screenshots of the page as it is, 360 and 1280 pixels wide, into test-results/browser/
 * screenshots (gitignored) for a person to look at.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  const folder = join(env.results, 'screenshots');
  mkdirSync(folder, { recursive: true });
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: join(folder, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Makes a stand-in fail its next `times` matching requests (its /__control/faults). */
export async function injectFault(
  origin: string,
  fault: { method?: string; path: string; status: number; times?: number },
): Promise<void> {
  const response = await fetch(`${origin}/__control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`the stand-in refused the fault: ${response.status} ${await response.text()}`);
}

// Daily's side of the frame. Offline, the frame daily-js creates loads the Daily stand-in's
// room page (a plain HTML page), not Daily's call UI. The test speaks for that UI through the
// frame's window with the messages daily-js itself listens for ({what: 'iframe-call-message',
// action, callClientId}); daily-js and the page under test are the real ones.

/** The iframe daily-js created, once it has loaded the room URL. */
export async function dailyFrame(page: Page): Promise<{ src: string; frame: Frame }> {
  // daily-js inserts the iframe blank and gives it the room's address when it joins, a task
  // later: the frame is the call's once it has that address.
  const element = await page.waitForSelector('.call-frame iframe[src]');
  const src = (await element.getAttribute('src')) ?? '';
  const frame = await element.contentFrame();
  if (!frame) throw new Error('the Daily iframe has no frame');
  await frame.waitForURL((url) => url.protocol !== 'about:');
  await frame.waitForLoadState('load');
  return { src, frame };
}

/**
 * Plays Daily's call UI inside the frame: reports `loaded`, answers join-meeting with
 * joined-meeting and leave-meeting with left-meeting, and records what daily-js asked for.
 */
export async function playDailyCall(frame: Frame, options: { answerLeave?: boolean } = {}): Promise<void> {
  const callClientId = new URL(frame.url()).searchParams.get('emb');
  await frame.evaluate(
    ({ id, answerLeave }) => {
      const post = (message: Record<string, unknown>) =>
        window.parent.postMessage({ what: 'iframe-call-message', callClientId: id, from: 'embedded', ...message }, '*');
      const seen: unknown[] = [];
      (window as unknown as { dailyMessages: unknown[] }).dailyMessages = seen;
      window.addEventListener('message', (event: MessageEvent) => {
        const data = event.data as { action?: string } | null;
        seen.push(data);
        if (data?.action === 'join-meeting')
          post({
            action: 'joined-meeting',
            participants: { local: { session_id: 'local', local: true, user_name: '' } },
          });
        if (data?.action === 'leave-meeting' && answerLeave) post({ action: 'left-meeting' });
      });
      post({ action: 'loaded' });
    },
    { id: callClientId, answerLeave: options.answerLeave ?? true },
  );
}

/** A fatal error as Daily's call UI reports one (PROVIDERS.md: `error` with `error.type`). */
export async function failDailyCall(frame: Frame, type: string, errorMsg: string): Promise<void> {
  const callClientId = new URL(frame.url()).searchParams.get('emb');
  await frame.evaluate(
    ({ id, type, errorMsg }) =>
      window.parent.postMessage(
        {
          what: 'iframe-call-message',
          callClientId: id,
          from: 'embedded',
          action: 'error',
          errorMsg,
          error: { type, msg: errorMsg },
        },
        '*',
      ),
    { id: callClientId, type, errorMsg },
  );
}

/** What daily-js sent the frame so far (after playDailyCall). */
export function dailyMessages(frame: Frame): Promise<{ action?: string; properties?: Record<string, unknown> }[]> {
  return frame.evaluate(() => (window as unknown as { dailyMessages: { action?: string }[] }).dailyMessages);
}

/** Whereby's room page posting one of its embed events ({type, payload}) to the page. */
export async function wherebyEvent(frame: Frame, type: string, payload: unknown = {}): Promise<void> {
  await frame.evaluate(({ type, payload }) => window.parent.postMessage({ type, payload }, '*'), { type, payload });
}
