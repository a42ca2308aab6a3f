import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailyParticipant, dailySignature, wherebySignature } from '../../dev/provider-webhooks';
import { forgetRateLimitWarnings } from '../../worker/rate-limits';
import { WEBHOOK_SECRETS } from '../servers';
import { call, callAndWait, createRoom, OWNER, requestWith, resetWorld, standIn, tokenFor } from './helpers';
import { meetingOn, webhookState } from './webhook-helpers';

// The rate limits of SPEC §14, with the small limits vitest.config.ts gives the bindings (joins 3,
// answers 3, refused webhooks 4 a minute). Locally the binding counts exactly, in windows aligned
// to the clock's minutes; each test starts well inside one and sends from addresses of its own.

beforeEach(async () => {
  await resetWorld();
  forgetRateLimitWarnings();
});
afterEach(() => vi.restoreAllMocks());

const JOINS = 3;
const ANSWERS = 3;
const REFUSALS = 4;

/** Waits, when the minute is about to turn, until the next one has begun: a test's requests then share one window. */
async function startOfWindow() {
  const into = Date.now() % 60_000;
  if (into > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - into + 250));
}

let addresses = 0;
/** An address no other test uses (TEST-NET-2, and one IPv6). */
const newIp = () => `198.51.100.${++addresses}`;
const from = (ip: string, headers: Record<string, string> = {}) => ({ 'cf-connecting-ip': ip, ...headers });

const join = (room: string, ip: string, token?: string) =>
  call('POST', `/v1/rooms/${room}/meeting`, { headers: from(ip), token });
const answer = (meetingId: string, ip: string, consentGiven: boolean | string) =>
  call('POST', `/v1/meetings/${meetingId}/consent`, {
    headers: from(ip),
    body: typeof consentGiven === 'string' ? consentGiven : { consent_given: consentGiven },
  });
const meetingsOf = async (room: string) =>
  (
    await env.DB.prepare('SELECT * FROM meetings WHERE room_id = (SELECT id FROM rooms WHERE name = ?)')
      .bind(room)
      .all()
  ).results;
const consents = async () => (await env.DB.prepare('SELECT * FROM meeting_consent ORDER BY id').all()).results;

function expectRateLimited(response: Awaited<ReturnType<typeof call>>) {
  expect(response.status).toBe(429);
  expect(response.body).toMatchObject({ code: 'rate-limited', detail: expect.stringMatching(/wait a minute/) });
  expect(response.body?.request_id).toBe(response.headers.get('x-request-id'));
  expect(response.headers.get('retry-after')).toBe('60');
}

describe('joins: per client IP and room', () => {
  it('refuses the join past the limit with 429 and Retry-After, and makes no meeting', async () => {
    await startOfWindow();
    const room = await createRoom(OWNER, { name: 'busy-room', platform: 'whereby' });
    const ip = newIp();
    const first = await join('busy-room', ip);
    expect(first.status).toBe(200);
    for (let n = 2; n <= JOINS; n++) expect((await join('busy-room', ip)).body?.id).toBe(first.body?.id);

    // The owner retires the meeting (ended at Whereby after the answer): the next join would make a new one at Whereby.
    const patched = await callAndWait('PATCH', `/v1/rooms/${room.id}`, {
      token: await tokenFor(OWNER),
      body: { is_locked: true },
    });
    expect(patched.status).toBe(200);
    const before = await meetingsOf('busy-room');
    const calls = (await standIn.requests('whereby')).length;

    expectRateLimited(await join('busy-room', ip));
    expect(await meetingsOf('busy-room')).toEqual(before);
    expect((await standIn.requests('whereby')).length).toBe(calls);

    // Another address joins the same room, and makes its new meeting.
    const other = await join('busy-room', newIp());
    expect(other.status).toBe(200);
    expect(other.body?.id).not.toBe(first.body?.id);
    expect(other.body?.is_locked).toBe(true);
  });

  it('limits each room on its own: an office behind one address joins its other rooms', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'office-one' });
    await createRoom(OWNER, { name: 'office-two' });
    const office = newIp();
    for (let n = 1; n <= JOINS; n++) expect((await join('office-one', office)).status).toBe(200);
    expectRateLimited(await join('office-one', office));
    expect((await join('office-two', office)).status).toBe(200);
  });

  it('counts every request to the room, refused ones too, before anything is read', async () => {
    await startOfWindow();
    const ip = newIp();
    // Three refused tokens on a room with no meeting: 401 each, then 429, and still no meeting.
    await createRoom(OWNER, { name: 'guarded-room' });
    for (let n = 1; n <= JOINS; n++) expect((await join('guarded-room', ip, 'not-a-jwt')).status).toBe(401);
    expectRateLimited(await join('guarded-room', ip));
    expect(await meetingsOf('guarded-room')).toEqual([]);
    // Unknown rooms are limited per name as well (404, 404, 404, then 429).
    for (let n = 1; n <= JOINS; n++) expect((await join('nobody-here', ip)).status).toBe(404);
    expectRateLimited(await join('nobody-here', ip));
    // A name no room can have shares one count per address, and never a real room's.
    for (let n = 1; n <= JOINS; n++) expect((await join('x'.repeat(100), ip)).status).toBe(404);
    expectRateLimited(await join('y'.repeat(200), ip));
    expect((await join('nobody-else', ip)).status).toBe(404);
  });

  it('never limits RATE_LIMIT_EXEMPT_IPS, nor a request that did not come through the edge', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'exempt-room' });
    for (let n = 1; n <= JOINS * 3; n++) {
      expect((await join('exempt-room', '203.0.113.250')).status).toBe(200);
      // The setting is compared in lower case; CF-Connecting-IP gives IPv6 so.
      expect((await join('exempt-room', '2001:db8::fe')).status).toBe(200);
      expect((await call('POST', '/v1/rooms/exempt-room/meeting')).status).toBe(200);
    }
    // While any other address is limited there.
    const ip = newIp();
    for (let n = 1; n <= JOINS; n++) expect((await join('exempt-room', ip)).status).toBe(200);
    expectRateLimited(await join('exempt-room', ip));
  });

  it('limits IPv6 clients too', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'v6-room' });
    const ip = `2001:db8:1::${++addresses}`;
    for (let n = 1; n <= JOINS; n++) expect((await join('v6-room', ip)).status).toBe(200);
    expectRateLimited(await join('v6-room', ip));
  });
});

describe('answers: per client IP and meeting', () => {
  it('refuses the answer past the limit and keeps the answers given', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'asked-room', recording_type: 'cloud' });
    await createRoom(OWNER, { name: 'asked-too', recording_type: 'cloud' });
    const meeting = (await call('POST', '/v1/rooms/asked-room/meeting')).body?.id as string;
    const another = (await call('POST', '/v1/rooms/asked-too/meeting')).body?.id as string;
    const ip = newIp();
    // A malformed answer counts as well: the limit comes before the body is read.
    expect((await answer(meeting, ip, '{"consent_given":')).status).toBe(400);
    for (let n = 2; n <= ANSWERS; n++) expect((await answer(meeting, ip, true)).status).toBe(200);
    const before = await consents();

    expectRateLimited(await answer(meeting, ip, false));
    expect(await consents()).toEqual(before);

    // The same address answers in another meeting; another address in this one.
    expect((await answer(another, ip, false)).status).toBe(200);
    expect((await answer(meeting, newIp(), false)).status).toBe(200);
  });
});

describe('webhooks: refused deliveries per client IP and receiver', () => {
  async function deliverDaily(ip: string, event: unknown, signed: boolean) {
    const body = JSON.stringify(event);
    const headers = signed
      ? await dailySignature(body, WEBHOOK_SECRETS.daily)
      : { 'x-webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'x-webhook-signature': btoa('forged') };
    return call('POST', '/v1/daily/webhook', { body, headers: from(ip, headers) });
  }

  it('answers refusals past the limit with 429, and still applies an authentic delivery from that address', async () => {
    await startOfWindow();
    const meeting = await meetingOn('daily', 'hooked-room');
    const ip = newIp();
    const event = () => dailyEvent('participant.joined', dailyParticipant(meeting.roomName, crypto.randomUUID()));
    for (let n = 1; n <= REFUSALS - 1; n++) expect((await deliverDaily(ip, event(), false)).status).toBe(401);
    // Authentic but malformed counts too (400).
    const malformed = '{"type":"participant.joined","id":';
    const signedMalformed = await dailySignature(malformed, WEBHOOK_SECRETS.daily);
    const bad = await call('POST', '/v1/daily/webhook', { body: malformed, headers: from(ip, signedMalformed) });
    expect(bad.status).toBe(400);
    const before = await webhookState();

    expectRateLimited(await deliverDaily(ip, event(), false));
    expect(await webhookState()).toEqual(before);

    // The provider's real delivery from the same address is never limited.
    const real = await deliverDaily(ip, event(), true);
    expect(real.status).toBe(200);
    expect(real.body?.status).toBe('applied');
    // Other addresses, and the other receiver from this address, are refused as before (401).
    expect((await deliverDaily(newIp(), event(), false)).status).toBe(401);
    const whereby = await call('POST', '/v1/whereby', {
      body: '{}',
      headers: from(ip, { 'whereby-signature': 't=1,v1=00' }),
    });
    expect(whereby.status).toBe(401);
  });

  it('never counts authentic deliveries', async () => {
    await startOfWindow();
    const meeting = await meetingOn('daily', 'provider-room');
    const provider = newIp();
    for (let n = 1; n <= REFUSALS * 3; n++) {
      const event = dailyEvent('participant.joined', dailyParticipant(meeting.roomName, `p-${n}`));
      expect((await deliverDaily(provider, event, true)).status).toBe(200);
    }
    // Daily's unsigned verification ping is not a refusal either.
    for (let n = 1; n <= REFUSALS; n++) {
      const ping = await call('POST', '/v1/daily/webhook', { body: '{"test":"test"}', headers: from(provider) });
      expect(ping.status).toBe(200);
    }
    // Only now does this address's count start: its refusals are 401 until the limit, then 429.
    const event = dailyEvent('participant.joined', dailyParticipant(meeting.roomName, 'forger'));
    for (let n = 1; n <= REFUSALS; n++) expect((await deliverDaily(provider, event, false)).status).toBe(401);
    expectRateLimited(await deliverDaily(provider, event, false));
  });

  it('limits Whereby’s receiver on its own count', async () => {
    await startOfWindow();
    const ip = newIp();
    const body = JSON.stringify({ id: 'x', type: 'room.client.joined' });
    const headers = await wherebySignature(body, 'not-the-secret');
    for (let n = 1; n <= REFUSALS; n++)
      expect((await call('POST', '/v1/whereby', { body, headers: from(ip, headers) })).status).toBe(401);
    expectRateLimited(await call('POST', '/v1/whereby', { body, headers: from(ip, headers) }));
    expect((await deliverDaily(ip, { test: 'not the ping' }, false)).status).toBe(401);
  });
});

describe('without a working binding', () => {
  const joinWith = (bindings: object, ip: string) =>
    requestWith('/v1/rooms/unguarded/meeting', { method: 'POST', headers: from(ip) }, { ...env, ...bindings });

  it('does not limit, and says so once, when the binding is missing (an older wrangler.toml)', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'unguarded' });
    const warn = vi.spyOn(console, 'warn');
    const ip = newIp();
    for (let n = 1; n <= JOINS * 2; n++)
      expect((await joinWith({ RATE_LIMIT_MEETINGS: undefined }, ip)).status).toBe(200);
    const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines.filter((line) => line.binding === 'RATE_LIMIT_MEETINGS')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('missing') }),
    ]);
  });

  it('does not limit when the binding fails', async () => {
    await startOfWindow();
    await createRoom(OWNER, { name: 'unguarded' });
    const failing = {
      limit: async () => {
        throw new Error('rate limiter unavailable');
      },
    };
    const ip = newIp();
    for (let n = 1; n <= JOINS * 2; n++)
      expect((await joinWith({ RATE_LIMIT_MEETINGS: failing }, ip)).status).toBe(200);
    // The same requests with the working binding are limited.
    const counted = newIp();
    for (let n = 1; n <= JOINS; n++) expect((await joinWith({}, counted)).status).toBe(200);
    expect((await joinWith({}, counted)).status).toBe(429);
  });
});
