import { env } from 'cloudflare:workers';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { dailyEvent, dailyParticipant } from '../../dev/provider-webhooks';
import { reflectorProblems } from '../reflector-contract';
import { call, createRoom, OWNER, resetWorld, STRANGER, setFlags, standIn, tokenFor } from './helpers';
import { sendDaily } from './webhook-helpers';

// POST /v1/rooms/{room_name}/meetings/{meeting_id}/join (SPEC §10, Reflector's rooms_join_meeting):
// the meeting with links of the caller's own. On Daily, each signed-in person gets a meeting
// token naming them, so that everyone in the call is known by who they are.

beforeEach(resetWorld);

const JOIN = '/v1/rooms/{room_name}/meetings/{meeting_id}/join';
const MINUTE = 60_000;

/** A room on the platform (with these settings) and its active meeting, as the meeting endpoint answers it. */
async function meetingOf(name: string, platform: 'daily' | 'whereby', room: Record<string, unknown> = {}) {
  if (platform === 'daily') await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
  await createRoom(OWNER, { name, platform, ...room });
  const meeting = await call('POST', `/v1/rooms/${name}/meeting`);
  if (meeting.status !== 200) throw new Error(`no meeting: ${JSON.stringify(meeting.body)}`);
  return meeting.body as Record<string, any>;
}

async function join(room: string, meetingId: string, token?: string) {
  const answer = await call('POST', `/v1/rooms/${room}/meetings/${meetingId}/join`, { token });
  return { ...answer, problems: reflectorProblems('post', JOIN, answer.status, answer.body) };
}

/** The properties a Daily meeting token was minted with: the stand-in's token carries them. */
function tokenProperties(roomUrl: string): Record<string, unknown> {
  const token = new URL(roomUrl).searchParams.get('t');
  if (!token) throw new Error(`no token in ${roomUrl}`);
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString());
}

const tokenMints = async () =>
  (await standIn.requests('daily')).filter((request) => request.path === '/v1/meeting-tokens');

const setMeeting = (id: string, fields: { end_date?: string; is_active?: 0 | 1; num_clients?: number }) => {
  const names = Object.keys(fields);
  return env.DB.prepare(`UPDATE meetings SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`)
    .bind(...Object.values(fields), id)
    .run();
};

describe('a Daily meeting', () => {
  it('gives a signed-in person a token of their own: their sub and name, no owner rights, until the meeting ends', async () => {
    const meeting = await meetingOf('join-daily', 'daily', { recording_type: 'cloud', skip_consent: false });
    const token = await tokenFor(STRANGER, { claims: { name: 'Ada Lovelace' } });
    const joined = await join('join-daily', meeting.id, token);

    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: meeting.id, room_name: meeting.room_name, platform: 'daily' });
    const url = new URL(joined.body?.room_url);
    expect(`${url.origin}${url.pathname}`).toBe(meeting.room_url);
    expect(tokenProperties(joined.body?.room_url)).toEqual({
      room_name: meeting.room_name,
      is_owner: false,
      user_id: STRANGER,
      user_name: 'Ada Lovelace',
      exp: Math.floor(Date.parse(meeting.end_date) / 1000),
      // The meeting asks for consent: our question comes first, not Daily's record button.
      enable_recording_ui: false,
    });
    // The host link is the owner's alone (null now; "" once the answer takes Reflector's shape).
    expect(joined.body?.host_room_url ?? '').toBe('');
    // It holds a token: no cache keeps it.
    expect(joined.headers.get('cache-control')).toBe('no-store');
  });

  it('makes the room’s owner its owner in the call, with the host link', async () => {
    const meeting = await meetingOf('join-daily-owner', 'daily');
    const joined = await join('join-daily-owner', meeting.id, await tokenFor(OWNER));
    expect(joined.status).toBe(200);
    expect(tokenProperties(joined.body?.room_url)).toMatchObject({ is_owner: true, user_id: OWNER });
    expect(joined.body?.host_room_url).toBe(joined.body?.room_url);
    expect(joined.problems).toEqual([]);
  });

  it('knows the person by the token’s user_id and user_name once Daily says they joined', async () => {
    const meeting = await meetingOf('join-daily-named', 'daily');
    const joined = await join('join-daily-named', meeting.id, await tokenFor(STRANGER, { claims: { name: 'Ada' } }));
    const { user_id, user_name } = tokenProperties(joined.body?.room_url);
    // Daily's participant.joined carries the token's user_id and user_name.
    const event = dailyEvent(
      'participant.joined',
      dailyParticipant(meeting.room_name, 'session-ada', { user_id, user_name }),
    );
    expect((await sendDaily(event)).status).toBe(200);
    const row = await env.DB.prepare('SELECT user_id, user_name FROM participant_sessions WHERE meeting_id = ?')
      .bind(meeting.id)
      .first();
    expect(row).toEqual({ user_id: STRANGER, user_name: 'Ada' });
  });

  it('leaves out user_name when the token has no name', async () => {
    const meeting = await meetingOf('join-daily-nameless', 'daily');
    const joined = await join('join-daily-nameless', meeting.id, await tokenFor(STRANGER));
    expect(tokenProperties(joined.body?.room_url)).not.toHaveProperty('user_name');
  });

  it('shortens a sub longer than 36 characters to a stable 36-character hash of it', async () => {
    const meeting = await meetingOf('join-daily-long-sub', 'daily');
    const sub = `auth0|${'x'.repeat(60)}`;
    const expected = createHash('sha256').update(sub).digest('hex').slice(0, 36);
    const first = await join('join-daily-long-sub', meeting.id, await tokenFor(sub));
    const second = await join('join-daily-long-sub', meeting.id, await tokenFor(sub));
    expect(first.status).toBe(200);
    expect(tokenProperties(first.body?.room_url).user_id).toBe(expected);
    expect(tokenProperties(second.body?.room_url).user_id).toBe(expected);
  });

  it.each([
    ['local', false, true],
    ['cloud', true, true],
    ['cloud', false, false],
    ['none', false, false],
  ])(
    'shows Daily’s recording controls for a %s recording with skip_consent %s: %s',
    async (recording_type, skip_consent, shown) => {
      const name = `join-ui-${recording_type}-${skip_consent}`;
      const meeting = await meetingOf(name, 'daily', { recording_type, skip_consent });
      const joined = await join(name, meeting.id, await tokenFor(STRANGER));
      expect(tokenProperties(joined.body?.room_url).enable_recording_ui).toBe(shown);
    },
  );

  it('gives an anonymous caller the plain room URL, and mints no token', async () => {
    const meeting = await meetingOf('join-daily-guest', 'daily');
    await standIn.reset('daily');
    const joined = await join('join-daily-guest', meeting.id);
    expect(joined.status).toBe(200);
    expect(joined.body?.room_url).toBe(meeting.room_url);
    expect(await tokenMints()).toEqual([]);
  });

  it('extends the lease of an occupied meeting past its end, and the token lasts until the new end', async () => {
    const meeting = await meetingOf('join-daily-lapsed', 'daily');
    await setMeeting(meeting.id, { end_date: new Date(Date.now() - MINUTE).toISOString(), num_clients: 2 });
    const joined = await join('join-daily-lapsed', meeting.id, await tokenFor(STRANGER));

    expect(joined.status).toBe(200);
    const end = Date.parse(joined.body?.end_date);
    expect(end).toBeGreaterThan(Date.now() + 60 * MINUTE);
    expect(tokenProperties(joined.body?.room_url).exp).toBe(Math.floor(end / 1000));
    const extension = (await standIn.requests('daily')).find(
      (request) => request.method === 'POST' && request.path === `/v1/rooms/${meeting.room_name}`,
    );
    expect(extension?.body).toEqual({ properties: { exp: Math.floor(end / 1000) } });
  });

  it.each([
    [500, 503, 'provider-unavailable'],
    [400, 502, 'provider-error'],
  ])('answers %i from Daily’s token endpoint with %i in the service’s error shape', async (daily, status, code) => {
    const meeting = await meetingOf(`join-token-${daily}`, 'daily');
    await standIn.fault('daily', { method: 'POST', path: '^/v1/meeting-tokens$', status: daily, times: 5 });
    const joined = await join(`join-token-${daily}`, meeting.id, await tokenFor(STRANGER));
    expect(joined).toMatchObject({ status, body: { code, detail: expect.stringContaining('meeting token') } });
    expect(joined.body?.request_id).toBe(joined.headers.get('x-request-id'));
    expect(joined.problems).toEqual([]);
  });
});

describe('a Whereby meeting', () => {
  it('gives everyone but the owner the plain room URL, and the owner the host link', async () => {
    const meeting = await meetingOf('join-whereby', 'whereby');
    const guest = await join('join-whereby', meeting.id, await tokenFor(STRANGER, { claims: { name: 'Ada' } }));
    const owner = await join('join-whereby', meeting.id, await tokenFor(OWNER));
    expect(guest.status).toBe(200);
    expect(guest.body?.room_url).toBe(meeting.room_url);
    expect(guest.body?.host_room_url ?? '').toBe('');
    expect(owner.body?.room_url).toBe(meeting.room_url);
    expect(owner.body?.host_room_url).toMatch(/roomKey=/);
    expect(owner.problems).toEqual([]);
  });
});

describe('refusals', () => {
  it('answers 404 for an unknown room, an unknown meeting, and a meeting of another room', async () => {
    const meeting = await meetingOf('join-mine', 'whereby');
    await createRoom(OWNER, { name: 'join-other' });
    for (const [room, id] of [
      ['join-nowhere', meeting.id],
      ['join-mine', 'no-such-meeting'],
      ['join-other', meeting.id],
    ] as const) {
      const joined = await join(room, id);
      expect(joined).toMatchObject({ status: 404, body: { code: 'not-found' } });
      expect(joined.problems).toEqual([]);
    }
  });

  it('answers 400 for a retired meeting, and for an empty one past its end; neither is extended', async () => {
    const retired = await meetingOf('join-retired', 'daily');
    await setMeeting(retired.id, { is_active: 0 });
    const lapsed = await meetingOf('join-lapsed', 'daily');
    await setMeeting(lapsed.id, { end_date: new Date(Date.now() - MINUTE).toISOString(), num_clients: 0 });
    await standIn.reset('daily');

    for (const [room, id] of [
      ['join-retired', retired.id],
      ['join-lapsed', lapsed.id],
    ]) {
      const joined = await join(room, id, await tokenFor(STRANGER));
      expect(joined).toMatchObject({
        status: 400,
        body: { code: 'malformed', detail: expect.stringMatching(/no longer active/) },
      });
      expect(joined.problems).toEqual([]);
    }
    expect(await standIn.requests('daily')).toEqual([]);
  });

  it('is rate-limited per client IP and room, like the meeting endpoint', async () => {
    const meeting = await meetingOf('join-limited', 'whereby');
    const ip = { 'cf-connecting-ip': '198.51.100.77' };
    const path = `/v1/rooms/join-limited/meetings/${meeting.id}/join`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('POST', path, { headers: ip })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another room from the same address is not held back.
    const other = await meetingOf('join-limited-2', 'whereby');
    expect((await call('POST', `/v1/rooms/join-limited-2/meetings/${other.id}/join`, { headers: ip })).status).toBe(
      200,
    );
  });
});
