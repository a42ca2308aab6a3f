import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { REFLECTOR_OPERATIONS, reflectorProblems } from '../reflector-contract';
import { ADMIN, callAndWait, createRoom, OWNER, resetWorld, STRANGER, setFlags, standIn, tokenFor } from './helpers';
import { hookUrl, receiver, signatureHolds } from './room-webhook-helpers';

// Reflector's own frontend and API clients against this service (SPEC §10): for each operation,
// requests shaped as Reflector sends them, from the room's owner, another user, an admin and an
// anonymous caller, on the happy and the error paths. Every answer must validate against
// Reflector's OpenAPI document (reflectorProblems), and do what a user of that frontend sees.
// One table per operation.

type Operation = (typeof REFLECTOR_OPERATIONS)[number];
type Caller = 'owner' | 'stranger' | 'admin' | 'anonymous' | 'forged';

/** What each case starts from: two rooms of OWNER's with a webhook each, a Daily one, meetings in two. */
interface World {
  tokens: Record<Exclude<Caller, 'anonymous'>, string>;
  privateRoom: Record<string, any>;
  sharedRoom: Record<string, any>;
  dailyRoom: Record<string, any>;
  meeting: Record<string, any>;
  dailyMeeting: Record<string, any>;
}

type Answer = Awaited<ReturnType<typeof callAndWait>>;

interface Case {
  what: string;
  as: Caller;
  path: (world: World) => string;
  /** A string is sent as it is (malformed JSON); anything else as JSON; undefined: no body. */
  body?: unknown | ((world: World) => unknown);
  status: number;
  /** What happens first (another participant's call, the meeting ended). */
  before?: (world: World) => Promise<unknown>;
  /** What else the caller must see, or the rows must show. */
  sees?: (answer: Answer, world: World) => unknown;
}

const OWNER_EMAIL = 'owner@example.com';
const HOOK = { webhook_url: 'https://hooks.example.com/reflector', webhook_secret: 'a-shared-secret' };

/** The body Reflector's rooms page sends (www/app/(app)/rooms/page.tsx, handleSaveRoom) for a new room. */
const reflectorRoom = (name: string) => ({
  name,
  zulip_auto_post: false,
  zulip_stream: '',
  zulip_topic: '',
  is_locked: false,
  room_mode: 'normal',
  recording_type: 'cloud',
  recording_trigger: 'automatic-2nd-participant',
  is_shared: false,
  webhook_url: '',
  webhook_secret: '',
  ics_url: '',
  ics_enabled: false,
  ics_fetch_interval: 5,
  platform: 'whereby',
  skip_consent: false,
  email_transcript_to: null,
  store_video: false,
});

const roomRow = (id: string) => env.DB.prepare('SELECT * FROM rooms WHERE id = ?').bind(id).first();
const meetingRow = (id: string) => env.DB.prepare('SELECT * FROM meetings WHERE id = ?').bind(id).first();
const meetingCount = async () => (await env.DB.prepare('SELECT count(*) AS n FROM meetings').first<{ n: number }>())?.n;
const dailyTokenRequests = async () =>
  (await requestsOfCase('daily')).filter((request) => request.path === '/v1/meeting-tokens');

const hidden = { webhook_url: null, webhook_secret: null };

/** How many calls each stand-in had once the world was set up. */
const requestsOfSetUp = { daily: 0, whereby: 0 };
const requestsOfCase = async (provider: 'daily' | 'whereby') =>
  (await standIn.requests(provider)).slice(requestsOfSetUp[provider]);
const CLOUD_INSTANCE = '6f1c2a4e-3b7d-4c5e-9a8b-1d2e3f4a5b6c';
const TRACKS_INSTANCE = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';

/** The properties a Daily meeting token was minted with: the Daily stand-in's token carries them. */
function tokenProperties(roomUrl: string): Record<string, unknown> {
  const token = new URL(roomUrl).searchParams.get('t');
  if (!token) throw new Error(`no token in ${roomUrl}`);
  return JSON.parse(atob((token.split('.')[0] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
}
const unknownRoom = () => '/v1/rooms/no-such-room-id';

/** A room answer keeps its row as it was: a refused PATCH changed nothing. */
const unchanged = (room: (world: World) => Record<string, any>) => async (_answer: Answer, world: World) => {
  const row = await roomRow(room(world).id);
  expect(row).toMatchObject({ name: room(world).name, webhook_url: HOOK.webhook_url, ics_enabled: 0 });
};

/** A refused POST stored no room of that name. */
const noRoomNamed = (name: string) => async () =>
  expect(await env.DB.prepare('SELECT id FROM rooms WHERE name = ?').bind(name).first()).toBeNull();

const refusedField = (field: string) => (answer: Answer) =>
  expect(answer.body).toMatchObject({ code: 'validation', field });

const CASES: Partial<Record<Operation, Case[]>> = {
  'GET /v1/me': [
    {
      what: 'the signed-in caller with an email claim',
      as: 'owner',
      path: () => '/v1/me',
      status: 200,
      sees: (answer) => expect(answer.body).toEqual({ sub: OWNER, email: OWNER_EMAIL }),
    },
    {
      what: 'a token without an email',
      as: 'stranger',
      path: () => '/v1/me',
      status: 200,
      sees: (answer) => expect(answer.body).toEqual({ sub: STRANGER, email: null }),
    },
    {
      what: 'an anonymous caller: null',
      as: 'anonymous',
      path: () => '/v1/me',
      status: 200,
      sees: (answer) => expect(answer.body).toBeNull(),
    },
    { what: 'a forged token', as: 'forged', path: () => '/v1/me', status: 401 },
  ],

  'GET /v1/rooms': [
    {
      what: "the owner's rooms, their webhooks shown",
      as: 'owner',
      path: () => '/v1/rooms',
      status: 200,
      sees: (answer, world) => {
        expect(answer.body).toMatchObject({ total: 3, page: 1, size: 50, pages: 1 });
        expect(answer.body?.items.find((room: { id: string }) => room.id === world.privateRoom.id)).toMatchObject(HOOK);
      },
    },
    {
      what: 'pages counted by size',
      as: 'owner',
      path: () => '/v1/rooms?page=2&size=2',
      status: 200,
      sees: (answer) => {
        expect(answer.body).toMatchObject({ total: 3, page: 2, size: 2, pages: 2 });
        expect(answer.body?.items).toHaveLength(1);
      },
    },
    {
      what: 'another user: the shared room only, its webhook hidden',
      as: 'stranger',
      path: () => '/v1/rooms',
      status: 200,
      sees: (answer, world) => {
        expect(answer.body).toMatchObject({ total: 1, pages: 1 });
        expect(answer.body?.items).toEqual([expect.objectContaining({ id: world.sharedRoom.id, ...hidden })]);
      },
    },
    {
      what: 'no rooms at all: no pages',
      as: 'stranger',
      path: () => '/v1/rooms',
      status: 200,
      sees: async (_answer, world) => {
        await env.DB.prepare('DELETE FROM rooms WHERE id = ?').bind(world.sharedRoom.id).run();
        const empty = await callAndWait('GET', '/v1/rooms', { token: world.tokens.stranger });
        expect(reflectorProblems('get', '/v1/rooms', empty.status, empty.body)).toEqual([]);
        expect(empty.body).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
      },
    },
    { what: 'an anonymous caller', as: 'anonymous', path: () => '/v1/rooms', status: 401 },
    { what: 'page 0', as: 'owner', path: () => '/v1/rooms?page=0', status: 422, sees: refusedField('page') },
  ],

  'POST /v1/rooms': [
    {
      what: "Reflector's frontend body: empty strings are none",
      as: 'owner',
      path: () => '/v1/rooms',
      body: reflectorRoom('from-reflector'),
      status: 201,
      sees: async (answer) => {
        expect(answer.body).toMatchObject({
          name: 'from-reflector',
          user_id: OWNER,
          zulip_auto_post: false,
          zulip_stream: '',
          zulip_topic: '',
          webhook_url: null,
          webhook_secret: null,
          ics_url: null,
          ics_enabled: false,
          ics_fetch_interval: 5,
          ics_last_sync: null,
          ics_last_etag: null,
          email_transcript_to: null,
          store_video: false,
          raw_tracks: false,
        });
        expect(await roomRow(answer.body?.id)).toMatchObject({
          webhook_url: null,
          ics_url: null,
          ics_fetch_interval: 5,
        });
      },
    },
    {
      what: "Reflector's body with a webhook, Zulip and an email",
      as: 'owner',
      path: () => '/v1/rooms',
      body: {
        ...reflectorRoom('hooked'),
        ...HOOK,
        zulip_auto_post: true,
        zulip_stream: 'meetings',
        zulip_topic: 'standup',
        email_transcript_to: 'team@example.com',
        store_video: true,
        platform: 'daily',
      },
      status: 201,
      sees: async (answer) => {
        expect(answer.body).toMatchObject({ ...HOOK, zulip_stream: 'meetings', store_video: true, platform: 'daily' });
        expect(await roomRow(answer.body?.id)).toMatchObject({ ...HOOK, email_transcript_to: 'team@example.com' });
      },
    },
    {
      what: "this service's own smaller body",
      as: 'owner',
      path: () => '/v1/rooms',
      body: { name: 'small-body' },
      status: 201,
      sees: (answer) =>
        expect(answer.body).toMatchObject({ zulip_auto_post: false, ics_fetch_interval: 300, ...hidden }),
    },
    { what: 'a taken name', as: 'stranger', path: () => '/v1/rooms', body: reflectorRoom('private-room'), status: 409 },
    ...(
      [
        ['an http:// webhook in production', 'http://hooks.example.com/x'],
        ['a loopback webhook', 'https://127.0.0.1/hook'],
        ['the cloud metadata address', 'https://169.254.169.254/latest'],
        ['an IPv6 loopback', 'https://[::1]/hook'],
        ['localhost', 'https://localhost/hook'],
      ] as const
    ).map(
      ([what, url]): Case => ({
        what,
        as: 'owner',
        path: () => '/v1/rooms',
        body: { ...reflectorRoom('refused-hook'), webhook_url: url },
        status: 422,
        sees: async (answer) => {
          refusedField('webhook_url')(answer);
          await noRoomNamed('refused-hook')();
        },
      }),
    ),
    {
      what: 'calendar sync asked for',
      as: 'owner',
      path: () => '/v1/rooms',
      body: { ...reflectorRoom('with-calendar'), ics_enabled: true, ics_url: 'https://cal.example.com/a.ics' },
      status: 422,
      sees: async (answer) => {
        refusedField('ics_enabled')(answer);
        expect(answer.body?.detail).toMatch(/calendar/i);
        await noRoomNamed('with-calendar')();
      },
    },
    ...(
      [
        ['zulip_auto_post', 'yes'],
        ['zulip_stream', 12],
        ['webhook_url', 42],
        ['ics_fetch_interval', 'five'],
        ['ics_fetch_interval', 1.5],
        ['store_video', 'no'],
        ['email_transcript_to', false],
        ['platform', 'livekit'],
        ['ics_last_sync', '2026-01-01T00:00:00Z'],
        ['calendar', true],
      ] as const
    ).map(
      ([field, value]): Case => ({
        what: `${field}: ${JSON.stringify(value)}`,
        as: 'owner',
        path: () => '/v1/rooms',
        body: { ...reflectorRoom('mistyped'), [field]: value },
        status: 422,
        sees: async (answer) => {
          refusedField(field)(answer);
          await noRoomNamed('mistyped')();
        },
      }),
    ),
    { what: 'malformed JSON', as: 'owner', path: () => '/v1/rooms', body: '{"name": ', status: 400 },
    { what: 'an anonymous caller', as: 'anonymous', path: () => '/v1/rooms', body: reflectorRoom('anon'), status: 401 },
  ],

  'GET /v1/rooms/{room_id}': [
    {
      what: 'the owner: the webhook shown',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject({ name: 'private-room', ...HOOK }),
    },
    {
      what: 'an admin: the webhook shown',
      as: 'admin',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject(HOOK),
    },
    {
      what: 'another user, a shared room: the webhook hidden',
      as: 'stranger',
      path: (world) => `/v1/rooms/${world.sharedRoom.id}`,
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject({ name: 'shared-room', ...hidden }),
    },
    {
      what: 'an anonymous caller, a shared room: the webhook hidden',
      as: 'anonymous',
      path: (world) => `/v1/rooms/${world.sharedRoom.id}`,
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject(hidden),
    },
    { what: 'another user, a private room', as: 'stranger', path: (w) => `/v1/rooms/${w.privateRoom.id}`, status: 403 },
    { what: 'anonymous, a private room', as: 'anonymous', path: (w) => `/v1/rooms/${w.privateRoom.id}`, status: 401 },
    { what: 'an unknown room', as: 'owner', path: unknownRoom, status: 404 },
  ],

  'PATCH /v1/rooms/{room_id}': [
    {
      what: "Reflector's edit dialog body, every field sent",
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { ...reflectorRoom('renamed-room'), ...HOOK, is_shared: true, zulip_topic: 'weekly' },
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toMatchObject({ id: world.privateRoom.id, name: 'renamed-room', zulip_topic: 'weekly' });
        expect(await roomRow(world.privateRoom.id)).toMatchObject({ name: 'renamed-room', is_shared: 1, ...HOOK });
      },
    },
    {
      what: 'the webhook emptied: none',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { webhook_url: '', webhook_secret: '' },
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toMatchObject(hidden);
        expect(await roomRow(world.privateRoom.id)).toMatchObject(hidden);
      },
    },
    {
      what: 'null for a field that may be empty: emptied, as Reflector stores it',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { webhook_secret: null, ics_url: null },
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toMatchObject({ webhook_url: HOOK.webhook_url, webhook_secret: null });
        expect(await roomRow(world.privateRoom.id)).toMatchObject({
          webhook_url: HOOK.webhook_url,
          webhook_secret: null,
        });
      },
    },
    {
      what: 'an admin',
      as: 'admin',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { zulip_auto_post: true },
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject({ zulip_auto_post: true, ...HOOK }),
    },
    ...(
      [
        ['an http:// webhook in production', 'http://hooks.example.com/x'],
        ['a loopback webhook', 'https://127.0.0.1/hook'],
        ['the cloud metadata address', 'https://169.254.169.254/latest'],
        ['an IPv6 loopback', 'https://[::1]/hook'],
        ['localhost', 'https://localhost/hook'],
      ] as const
    ).map(
      ([what, url]): Case => ({
        what,
        as: 'owner',
        path: (world) => `/v1/rooms/${world.privateRoom.id}`,
        body: { webhook_url: url, name: 'would-be-renamed' },
        status: 422,
        sees: async (answer, world) => {
          refusedField('webhook_url')(answer);
          await unchanged((w) => w.privateRoom)(answer, world);
        },
      }),
    ),
    {
      what: 'calendar sync asked for',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { ics_enabled: true },
      status: 422,
      sees: async (answer, world) => {
        refusedField('ics_enabled')(answer);
        expect(answer.body?.detail).toMatch(/calendar/i);
        await unchanged((w) => w.privateRoom)(answer, world);
      },
    },
    ...(
      [
        ['zulip_auto_post', 'yes'],
        ['ics_fetch_interval', '5'],
        ['webhook_secret', 7],
        ['platform', 'livekit'],
        ['id', 'another-id'],
        // Reflector's own database refuses a null for a field that cannot be empty.
        ['name', null],
        ['is_locked', null],
        ['zulip_stream', null],
      ] as const
    ).map(
      ([field, value]): Case => ({
        what: `${field}: ${JSON.stringify(value)}`,
        as: 'owner',
        path: (world) => `/v1/rooms/${world.privateRoom.id}`,
        body: { [field]: value },
        status: 422,
        sees: async (answer, world) => {
          refusedField(field)(answer);
          await unchanged((w) => w.privateRoom)(answer, world);
        },
      }),
    ),
    {
      what: 'a rename onto a taken name',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { name: 'shared-room' },
      status: 409,
      sees: unchanged((w) => w.privateRoom),
    },
    {
      what: 'malformed JSON',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: '{"name": ',
      status: 400,
    },
    {
      what: 'another user, a shared room',
      as: 'stranger',
      path: (world) => `/v1/rooms/${world.sharedRoom.id}`,
      body: { name: 'taken-over' },
      status: 403,
      sees: unchanged((w) => w.sharedRoom),
    },
    {
      what: 'an anonymous caller',
      as: 'anonymous',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      body: { is_locked: true },
      status: 401,
    },
    { what: 'an unknown room', as: 'owner', path: unknownRoom, body: { is_locked: true }, status: 404 },
  ],

  'DELETE /v1/rooms/{room_id}': [
    {
      what: 'the owner',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}`,
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toEqual({ status: 'ok' });
        expect(await roomRow(world.privateRoom.id)).toBeNull();
      },
    },
    {
      what: 'another user',
      as: 'stranger',
      path: (world) => `/v1/rooms/${world.sharedRoom.id}`,
      status: 403,
      sees: async (_answer, world) => expect(await roomRow(world.sharedRoom.id)).not.toBeNull(),
    },
    { what: 'an anonymous caller', as: 'anonymous', path: (w) => `/v1/rooms/${w.privateRoom.id}`, status: 401 },
    { what: 'an unknown room', as: 'owner', path: unknownRoom, status: 404 },
  ],

  'GET /v1/rooms/name/{room_name}': [
    {
      what: 'the owner: the webhook shown',
      as: 'owner',
      path: () => '/v1/rooms/name/private-room',
      status: 200,
      sees: (answer, world) => expect(answer.body).toMatchObject({ id: world.privateRoom.id, ...HOOK }),
    },
    {
      what: 'another user, a shared room: the webhook hidden',
      as: 'stranger',
      path: () => '/v1/rooms/name/shared-room',
      status: 200,
      sees: (answer, world) => expect(answer.body).toMatchObject({ id: world.sharedRoom.id, ...hidden }),
    },
    {
      what: 'anonymous, a shared room',
      as: 'anonymous',
      path: () => '/v1/rooms/name/shared-room',
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject(hidden),
    },
    { what: 'another user, a private room', as: 'stranger', path: () => '/v1/rooms/name/private-room', status: 403 },
    { what: 'anonymous, a private room', as: 'anonymous', path: () => '/v1/rooms/name/private-room', status: 401 },
    { what: 'an unknown room', as: 'owner', path: () => '/v1/rooms/name/no-such-room', status: 404 },
  ],

  'POST /v1/rooms/{room_name}/meeting': [
    {
      what: 'anonymous, no body: the active meeting, no host link',
      as: 'anonymous',
      path: () => '/v1/rooms/private-room/meeting',
      status: 200,
      sees: (answer, world) =>
        expect(answer.body).toMatchObject({
          id: world.meeting.id,
          host_room_url: '',
          room_id: world.privateRoom.id,
          user_id: OWNER,
          calendar_event_id: null,
          calendar_metadata: null,
          daily_composed_video_s3_key: null,
          daily_composed_video_duration: null,
          failover_from: null,
          skip_consent: false,
        }),
    },
    {
      what: 'the owner asking for a duplicate: still the one meeting, with the host link',
      as: 'owner',
      path: () => '/v1/rooms/private-room/meeting',
      body: { allow_duplicated: true },
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toMatchObject({ id: world.meeting.id, host_room_url: expect.stringMatching(/^https:/) });
        expect(await meetingCount()).toBe(2);
      },
    },
    {
      what: 'another user, allow_duplicated null',
      as: 'stranger',
      path: () => '/v1/rooms/private-room/meeting',
      body: { allow_duplicated: null },
      status: 200,
      sees: (answer, world) => expect(answer.body).toMatchObject({ id: world.meeting.id, host_room_url: '' }),
    },
    {
      what: 'an empty body',
      as: 'anonymous',
      path: () => '/v1/rooms/private-room/meeting',
      body: {},
      status: 200,
      sees: (answer, world) => expect(answer.body?.id).toBe(world.meeting.id),
    },
    {
      what: 'allow_duplicated of the wrong type',
      as: 'anonymous',
      path: () => '/v1/rooms/shared-room/meeting',
      body: { allow_duplicated: 'yes' },
      status: 422,
      sees: async (answer) => {
        refusedField('allow_duplicated')(answer);
        expect(await meetingCount()).toBe(2);
      },
    },
    { what: 'an unknown room', as: 'anonymous', path: () => '/v1/rooms/no-such-room/meeting', status: 404 },
    { what: 'a forged token', as: 'forged', path: () => '/v1/rooms/shared-room/meeting', status: 401 },
  ],

  'GET /v1/rooms/{room_name}/meetings/active': [
    {
      what: 'anonymous: the active meeting, no host link',
      as: 'anonymous',
      path: () => '/v1/rooms/private-room/meetings/active',
      status: 200,
      sees: (answer, world) =>
        expect(answer.body).toEqual([
          expect.objectContaining({ id: world.meeting.id, host_room_url: '', user_id: OWNER, is_active: true }),
        ]),
    },
    {
      what: 'the owner: with the host link',
      as: 'owner',
      path: () => '/v1/rooms/private-room/meetings/active',
      status: 200,
      sees: (answer) => expect(answer.body?.[0]?.host_room_url).toMatch(/^https:/),
    },
    {
      what: 'another user of a Daily meeting: the plain link, no token minted',
      as: 'stranger',
      path: () => '/v1/rooms/daily-room/meetings/active',
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toEqual([
          expect.objectContaining({ id: world.dailyMeeting.id, room_url: world.dailyMeeting.room_url }),
        ]);
        expect(await dailyTokenRequests()).toEqual([]);
      },
    },
    {
      what: 'a room without one: an empty list, and none made',
      as: 'anonymous',
      path: () => '/v1/rooms/shared-room/meetings/active',
      status: 200,
      sees: async (answer) => {
        expect(answer.body).toEqual([]);
        expect(await meetingCount()).toBe(2);
      },
    },
    {
      what: 'a meeting the join would not reuse (its settings changed): none',
      as: 'anonymous',
      path: () => '/v1/rooms/private-room/meetings/active',
      status: 200,
      sees: async (_answer, world) => {
        await env.DB.prepare('UPDATE rooms SET is_locked = 1 WHERE id = ?').bind(world.privateRoom.id).run();
        const answer = await callAndWait('GET', '/v1/rooms/private-room/meetings/active');
        expect(reflectorProblems('get', '/v1/rooms/{room_name}/meetings/active', answer.status, answer.body)).toEqual(
          [],
        );
        expect(answer.body).toEqual([]);
      },
    },
    { what: 'an unknown room', as: 'anonymous', path: () => '/v1/rooms/no-such-room/meetings/active', status: 404 },
    { what: 'a forged token', as: 'forged', path: () => '/v1/rooms/private-room/meetings/active', status: 401 },
  ],

  'GET /v1/rooms/{room_name}/meetings/{meeting_id}': [
    {
      what: 'anonymous: the meeting, no host link',
      as: 'anonymous',
      path: (world) => `/v1/rooms/private-room/meetings/${world.meeting.id}`,
      status: 200,
      sees: (answer, world) =>
        expect(answer.body).toMatchObject({ id: world.meeting.id, host_room_url: '', room_id: world.privateRoom.id }),
    },
    {
      what: 'the owner: with the host link',
      as: 'owner',
      path: (world) => `/v1/rooms/private-room/meetings/${world.meeting.id}`,
      status: 200,
      sees: (answer) => expect(answer.body?.host_room_url).toMatch(/^https:/),
    },
    {
      what: 'another user of a Daily meeting: no token minted',
      as: 'stranger',
      path: (world) => `/v1/rooms/daily-room/meetings/${world.dailyMeeting.id}`,
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body?.room_url).toBe(world.dailyMeeting.room_url);
        expect(await dailyTokenRequests()).toEqual([]);
      },
    },
    {
      what: 'a meeting of another room',
      as: 'owner',
      path: (world) => `/v1/rooms/shared-room/meetings/${world.meeting.id}`,
      status: 404,
    },
    {
      what: 'an unknown meeting',
      as: 'anonymous',
      path: () => '/v1/rooms/private-room/meetings/no-such-meeting',
      status: 404,
    },
    {
      what: 'an unknown room',
      as: 'anonymous',
      path: (world) => `/v1/rooms/no-such-room/meetings/${world.meeting.id}`,
      status: 404,
    },
  ],

  'POST /v1/meetings/{meeting_id}/consent': [
    {
      what: "Reflector's body, anonymous",
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.meeting.id}/consent`,
      body: { consent_given: true },
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject({ status: 'success', consent_id: expect.any(String) }),
    },
    {
      what: 'a signed-in "no"',
      as: 'stranger',
      path: (world) => `/v1/meetings/${world.meeting.id}/consent`,
      body: { consent_given: false },
      status: 200,
      sees: async (_answer, world) =>
        expect(
          await env.DB.prepare('SELECT user_id, consent_given FROM meeting_consent WHERE meeting_id = ?')
            .bind(world.meeting.id)
            .first(),
        ).toEqual({ user_id: STRANGER, consent_given: 0 }),
    },
    {
      what: 'an answer of the wrong type',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.meeting.id}/consent`,
      body: { consent_given: 'yes' },
      status: 422,
      sees: refusedField('consent_given'),
    },
    {
      what: 'an unknown meeting',
      as: 'anonymous',
      path: () => '/v1/meetings/no-such-meeting/consent',
      body: { consent_given: true },
      status: 404,
    },
    {
      what: 'a forged token',
      as: 'forged',
      path: (world) => `/v1/meetings/${world.meeting.id}/consent`,
      body: { consent_given: true },
      status: 401,
    },
  ],

  'PATCH /v1/meetings/{meeting_id}/deactivate': [
    {
      what: 'the owner: ended here and at the provider; the next join makes a new one',
      as: 'owner',
      path: (world) => `/v1/meetings/${world.meeting.id}/deactivate`,
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toEqual({ status: 'success', meeting_id: world.meeting.id });
        expect(await meetingRow(world.meeting.id)).toMatchObject({ is_active: 0, provider_end_due_at: null });
        const ended = (await requestsOfCase('whereby')).filter((request) => request.method === 'DELETE');
        expect(ended).toHaveLength(1);
        const next = await callAndWait('POST', '/v1/rooms/private-room/meeting');
        expect(next.body?.id).not.toBe(world.meeting.id);
      },
    },
    {
      what: 'an admin, a Daily meeting',
      as: 'admin',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/deactivate`,
      status: 200,
      sees: async (_answer, world) => {
        expect(await meetingRow(world.dailyMeeting.id)).toMatchObject({ is_active: 0 });
        expect(await standIn.rooms('daily')).toEqual([]);
      },
    },
    {
      what: 'a meeting already ended: the same answer, nothing changes',
      as: 'owner',
      path: (world) => `/v1/meetings/${world.meeting.id}/deactivate`,
      status: 200,
      sees: async (_answer, world) => {
        const before = await meetingRow(world.meeting.id);
        const again = await callAndWait('PATCH', `/v1/meetings/${world.meeting.id}/deactivate`, {
          token: world.tokens.owner,
        });
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ status: 'success', meeting_id: world.meeting.id });
        expect(await meetingRow(world.meeting.id)).toEqual(before);
        expect((await requestsOfCase('whereby')).filter((request) => request.method === 'DELETE')).toHaveLength(1);
      },
    },
    {
      what: 'another user',
      as: 'stranger',
      path: (world) => `/v1/meetings/${world.meeting.id}/deactivate`,
      status: 403,
      sees: async (_answer, world) => expect(await meetingRow(world.meeting.id)).toMatchObject({ is_active: 1 }),
    },
    {
      what: 'an anonymous caller',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.meeting.id}/deactivate`,
      status: 401,
      sees: async (_answer, world) => expect(await meetingRow(world.meeting.id)).toMatchObject({ is_active: 1 }),
    },
    { what: 'an unknown meeting', as: 'owner', path: () => '/v1/meetings/no-such-meeting/deactivate', status: 404 },
  ],
  'POST /v1/rooms/{room_name}/meetings/{meeting_id}/join': [
    {
      what: 'the owner of a Daily meeting: a token of their own, with owner rights',
      as: 'owner',
      path: (world) => `/v1/rooms/daily-room/meetings/${world.dailyMeeting.id}/join`,
      status: 200,
      sees: (answer) => {
        expect(tokenProperties(answer.body?.room_url)).toMatchObject({ user_id: OWNER, is_owner: true });
        expect(answer.body?.host_room_url).toBe(answer.body?.room_url);
      },
    },
    {
      what: 'another signed-in person of a Daily meeting: a token naming them, no owner rights',
      as: 'stranger',
      path: (world) => `/v1/rooms/daily-room/meetings/${world.dailyMeeting.id}/join`,
      status: 200,
      sees: (answer) => {
        expect(tokenProperties(answer.body?.room_url)).toMatchObject({ user_id: STRANGER, is_owner: false });
        expect(answer.body?.host_room_url).toBe('');
      },
    },
    {
      what: 'an anonymous guest of a Daily meeting: the plain link, no token minted',
      as: 'anonymous',
      path: (world) => `/v1/rooms/daily-room/meetings/${world.dailyMeeting.id}/join`,
      status: 200,
      sees: async (answer, world) => {
        expect(answer.body).toMatchObject({ room_url: world.dailyMeeting.room_url, host_room_url: '' });
        expect(await dailyTokenRequests()).toEqual([]);
      },
    },
    {
      what: 'the owner of a Whereby meeting: the host link',
      as: 'owner',
      path: (world) => `/v1/rooms/private-room/meetings/${world.meeting.id}/join`,
      status: 200,
      sees: (answer) => expect(answer.body?.host_room_url).toMatch(/^https?:\/\//),
    },
    {
      what: 'a meeting of another room',
      as: 'stranger',
      path: (world) => `/v1/rooms/shared-room/meetings/${world.meeting.id}/join`,
      status: 404,
    },
    {
      what: 'an unknown room',
      as: 'anonymous',
      path: (world) => `/v1/rooms/no-such-room/meetings/${world.meeting.id}/join`,
      status: 404,
    },
    {
      what: 'a meeting no longer active',
      as: 'owner',
      path: (world) => `/v1/rooms/private-room/meetings/${world.meeting.id}/join`,
      body: undefined,
      status: 400,
      before: async (world) => {
        await callAndWait('PATCH', `/v1/meetings/${world.meeting.id}/deactivate`, { token: world.tokens.owner });
      },
    },
    {
      what: 'a forged token',
      as: 'forged',
      path: (world) => `/v1/rooms/daily-room/meetings/${world.dailyMeeting.id}/join`,
      status: 401,
      sees: async () => expect(await dailyTokenRequests()).toEqual([]),
    },
  ],

  'POST /v1/meetings/{meeting_id}/recordings/start': [
    {
      what: 'a guest starts the composite of a Daily meeting under its instance id',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/recordings/start`,
      body: { type: 'cloud', instanceId: CLOUD_INSTANCE },
      status: 200,
      sees: async (answer) => {
        expect(answer.body).toMatchObject({ status: 'ok', instanceId: CLOUD_INSTANCE });
        const starts = (await requestsOfCase('daily')).filter((request) => request.path.endsWith('/recordings/start'));
        expect(starts.map((request) => request.body)).toEqual([{ type: 'cloud', instanceId: CLOUD_INSTANCE }]);
      },
    },
    {
      what: 'raw tracks beside a running composite, under an instance id of their own',
      as: 'stranger',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/recordings/start`,
      body: { type: 'raw-tracks', instanceId: TRACKS_INSTANCE },
      status: 200,
      before: async (world) => {
        const cloud = { type: 'cloud', instanceId: CLOUD_INSTANCE };
        await callAndWait('POST', `/v1/meetings/${world.dailyMeeting.id}/recordings/start`, { body: cloud });
      },
      sees: (answer) => expect(answer.body).toMatchObject({ status: 'ok', instanceId: TRACKS_INSTANCE }),
    },
    {
      what: 'an instance another participant started already',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/recordings/start`,
      body: { type: 'cloud', instanceId: CLOUD_INSTANCE },
      status: 200,
      before: async (world) => {
        const cloud = { type: 'cloud', instanceId: CLOUD_INSTANCE };
        await callAndWait('POST', `/v1/meetings/${world.dailyMeeting.id}/recordings/start`, { body: cloud });
      },
      sees: (answer) => expect(answer.body).toMatchObject({ status: 'already_active', instanceId: CLOUD_INSTANCE }),
    },
    {
      what: 'a Whereby meeting',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.meeting.id}/recordings/start`,
      body: { type: 'cloud', instanceId: CLOUD_INSTANCE },
      status: 400,
    },
    {
      what: 'an instance id that is not a uuid',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/recordings/start`,
      body: { type: 'cloud', instanceId: 'not-a-uuid' },
      status: 422,
      sees: refusedField('instanceId'),
    },
    {
      what: 'a type Daily does not record',
      as: 'anonymous',
      path: (world) => `/v1/meetings/${world.dailyMeeting.id}/recordings/start`,
      body: { type: 'audio-only', instanceId: CLOUD_INSTANCE },
      status: 422,
      sees: refusedField('type'),
    },
    {
      what: 'an unknown meeting',
      as: 'anonymous',
      path: () => '/v1/meetings/no-such-meeting/recordings/start',
      body: { type: 'cloud', instanceId: CLOUD_INSTANCE },
      status: 404,
    },
  ],
  'POST /v1/rooms/{room_id}/webhook/test': [
    {
      what: "the owner: a signed test event reaches the room's receiver",
      as: 'owner',
      path: (world) => `/v1/rooms/${world.privateRoom.id}/webhook/test`,
      status: 200,
      before: async (world) => {
        await receiver.behave({ path: '/contract-test', status: 200, body: '{"ok":true}' });
        await callAndWait('PATCH', `/v1/rooms/${world.privateRoom.id}`, {
          token: world.tokens.owner,
          body: { webhook_url: hookUrl('/contract-test') },
        });
      },
      sees: async (answer) => {
        expect(answer.body).toMatchObject({ success: true, status_code: 200, response_preview: '{"ok":true}' });
        const [got] = await receiver.received('/contract-test');
        expect(signatureHolds(got?.headers ?? {}, got?.body ?? '', HOOK.webhook_secret)).toBe(true);
      },
    },
    {
      what: 'an admin, a receiver answering 500: the failure, as Reflector tells it',
      as: 'admin',
      path: (world) => `/v1/rooms/${world.privateRoom.id}/webhook/test`,
      status: 200,
      before: async (world) => {
        await receiver.behave({ path: '/contract-fails', status: 500, body: 'down' });
        await callAndWait('PATCH', `/v1/rooms/${world.privateRoom.id}`, {
          token: world.tokens.owner,
          body: { webhook_url: hookUrl('/contract-fails') },
        });
      },
      sees: (answer) => expect(answer.body).toMatchObject({ success: false, status_code: 500 }),
    },
    {
      what: 'a room without a webhook',
      as: 'owner',
      path: (world) => `/v1/rooms/${world.dailyRoom.id}/webhook/test`,
      status: 200,
      sees: (answer) => expect(answer.body).toMatchObject({ success: false, error: 'No webhook URL configured' }),
    },
    {
      what: 'another user',
      as: 'stranger',
      path: (world) => `/v1/rooms/${world.privateRoom.id}/webhook/test`,
      status: 403,
    },
    {
      what: 'an anonymous caller',
      as: 'anonymous',
      path: (world) => `/v1/rooms/${world.privateRoom.id}/webhook/test`,
      status: 401,
    },
    {
      what: 'a forged token',
      as: 'forged',
      path: (world) => `/v1/rooms/${world.privateRoom.id}/webhook/test`,
      status: 401,
    },
    { what: 'an unknown room', as: 'owner', path: () => `${unknownRoom()}/webhook/test`, status: 404 },
  ],
};

async function makeWorld(): Promise<World> {
  const tokens = {
    owner: await tokenFor(OWNER, { claims: { email: OWNER_EMAIL } }),
    stranger: await tokenFor(STRANGER),
    admin: await tokenFor(ADMIN),
    forged: await tokenFor(OWNER, { key: 'unknown' }),
  };
  await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
  const privateRoom = await createRoom(OWNER, { ...reflectorRoom('private-room'), ...HOOK });
  const sharedRoom = await createRoom(OWNER, { ...reflectorRoom('shared-room'), ...HOOK, is_shared: true });
  const dailyRoom = await createRoom(OWNER, { name: 'daily-room', platform: 'daily' });
  const meeting = (await callAndWait('POST', '/v1/rooms/private-room/meeting')).body as Record<string, any>;
  const dailyMeeting = (await callAndWait('POST', '/v1/rooms/daily-room/meeting')).body as Record<string, any>;
  // A case sees only the provider calls it caused; the rooms set up stay at the stand-ins.
  requestsOfSetUp.daily = (await standIn.requests('daily')).length;
  requestsOfSetUp.whereby = (await standIn.requests('whereby')).length;
  return { tokens, privateRoom, sharedRoom, dailyRoom, meeting, dailyMeeting };
}

beforeEach(async () => {
  await resetWorld();
  await receiver.reset();
});

for (const [operation, cases] of Object.entries(CASES) as [Operation, Case[]][]) {
  const [verb, template] = operation.split(' ') as [string, string];
  const method = verb.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
  describe(operation, () => {
    it.each(cases.map((c) => [`${c.what} (${c.as}) → ${c.status}`, c] as const))('%s', async (_title, c) => {
      const world = await makeWorld();
      await c.before?.(world);
      const body = typeof c.body === 'function' ? c.body(world) : c.body;
      const answer = await callAndWait(verb, c.path(world), {
        token: c.as === 'anonymous' ? undefined : world.tokens[c.as],
        body,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(c.status);
      expect(reflectorProblems(method, template, answer.status, answer.body)).toEqual([]);
      await c.sees?.(answer, world);
    });
  });
}

it('has a table for every operation of SPEC §10', () => {
  expect(Object.keys(CASES).sort()).toEqual([...REFLECTOR_OPERATIONS].sort());
});

it("catches an answer that breaks Reflector's contract: a null host link", async () => {
  const world = await makeWorld();
  expect(reflectorProblems('post', '/v1/rooms/{room_name}/meeting', 200, world.meeting)).toEqual([]);
  expect(
    reflectorProblems('post', '/v1/rooms/{room_name}/meeting', 200, { ...world.meeting, host_room_url: null }),
  ).not.toEqual([]);
  expect(reflectorProblems('get', '/v1/rooms', 200, { items: [], total: 0, page: 1, size: 50 })).not.toEqual([]);
});
