import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, launch, tokenFor } from './helpers.ts';

// A frontend hosted on another origin, as Reflector's is, calling the API from Chromium with a
// bearer token (SPEC §10): its requests need a real CORS preflight, which the service answers for
// an origin in CORS_ALLOWED_ORIGINS (the global setup lists the other origin's 127.0.0.1 address)
// and for no other (the same page as localhost).

const OWNER = 'cors-owner';
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A page of `origin`, and the CORS preflights Chromium sends from it (seen through the DevTools protocol). */
async function pageOf(origin: string): Promise<{ page: Page; preflights: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const preflights: string[] = [];
  const devtools = await context.newCDPSession(page);
  await devtools.send('Network.enable');
  devtools.on('Network.requestWillBeSent', (event) => {
    if (event.initiator.type === 'preflight')
      preflights.push(`${event.request.method} ${new URL(event.request.url).pathname}`);
  });
  await page.goto(origin);
  return { page, preflights };
}

interface Answer {
  status?: number;
  body?: unknown;
  requestId?: string | null;
  failed?: string;
}

/** `fetch` from inside the page, as the other frontend's own code would call the API. */
const fetchFrom = (page: Page, url: string, init: { method: string; token: string; body?: unknown }) =>
  page.evaluate(
    async ({ url, init }): Promise<Answer> => {
      try {
        const response = await fetch(url, {
          method: init.method,
          credentials: 'include',
          headers: {
            authorization: `Bearer ${init.token}`,
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        return {
          status: response.status,
          body: await response.json(),
          requestId: response.headers.get('x-request-id'),
        };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url, init },
  );

describe('the API from a frontend on another origin (CORS)', () => {
  it('works from a listed origin: Chromium’s preflight is answered, and the answers and errors can be read', async () => {
    const { page, preflights } = await pageOf(env.otherOrigin.listed);
    const token = await tokenFor(OWNER);
    const name = `cors-${Date.now().toString(36)}`;

    const created = await fetchFrom(page, `${env.url}/v1/rooms`, { method: 'POST', token, body: { name } });
    expect(created).toMatchObject({ status: 201, body: { name, user_id: OWNER } });
    expect(created.requestId).toBeTruthy();

    const listed = await fetchFrom(page, `${env.url}/v1/rooms`, { method: 'GET', token });
    expect(listed.status).toBe(200);
    expect((listed.body as { items: { name: string }[] }).items.map((room) => room.name)).toContain(name);

    const refused = await fetchFrom(page, `${env.url}/v1/rooms`, {
      method: 'POST',
      token,
      body: { name: 'Not A Name' },
    });
    expect(refused).toMatchObject({ status: 422, body: { code: 'validation', field: 'name' } });

    // One preflight: Chromium keeps its answer (Access-Control-Max-Age) for the requests after it.
    expect(preflights).toEqual(['OPTIONS /v1/rooms']);
  });

  it('is refused by the browser from an origin that is not listed, and nothing is created', async () => {
    const { page, preflights } = await pageOf(env.otherOrigin.unlisted);
    const token = await tokenFor(OWNER);
    const name = `cors-refused-${Date.now().toString(36)}`;
    const created = await fetchFrom(page, `${env.url}/v1/rooms`, { method: 'POST', token, body: { name } });
    expect(created.failed).toMatch(/TypeError/);
    expect(preflights).toEqual(['OPTIONS /v1/rooms']);

    // The preflight failed, so the POST itself was never sent.
    const { page: listedPage } = await pageOf(env.otherOrigin.listed);
    const byName = await fetchFrom(listedPage, `${env.url}/v1/rooms?size=100`, { method: 'GET', token });
    expect((byName.body as { items: { name: string }[] }).items.map((room) => room.name)).not.toContain(name);
  });
});
