import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { reflectorProblems } from '../reflector-contract';
import {
  call,
  createRoom,
  deliverCopy,
  directBucket,
  OWNER,
  objectBytes,
  requestWith,
  resetWorld,
  servers,
  setFlags,
  standIn,
} from './helpers';
import { meetingOn, sendDaily } from './webhook-helpers';

// POST /v1/meetings/{meeting_id}/recordings/start (SPEC §10, Reflector's start_recording): a
// participant starts a recording of a Daily meeting under an instance id of its own, so that the
// composite and the raw tracks run at once; a second start of a running instance is no error.

beforeEach(resetWorld);

const START = '/v1/meetings/{meeting_id}/recordings/start';
const CLOUD_ID = '6f1c2a4e-3b7d-4c5e-9a8b-1d2e3f4a5b6c';
const TRACKS_ID = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';

async function start(meetingId: string, body: unknown, headers?: Record<string, string>) {
  const answer = await call('POST', `/v1/meetings/${meetingId}/recordings/start`, { body, headers });
  return { ...answer, problems: reflectorProblems('post', START, answer.status, answer.body) };
}

/** What Daily was asked to start, as the stand-in logged it. */
const startsAtDaily = async () =>
  (await standIn.requests('daily'))
    .filter((request) => request.method === 'POST' && request.path.endsWith('/recordings/start'))
    .map((request) => ({ path: request.path, body: request.body }));

/** Daily's recordings running in its room, per instance. */
const activeAtDaily = async (room: string) =>
  (await (await fetch(`${servers.daily.origin}/__control/daily/active-recordings/${room}`)).json()) as unknown[];

const meetingRows = async () => (await env.DB.prepare('SELECT * FROM meetings ORDER BY id').all()).results;

describe('starting a recording of a Daily meeting', () => {
  it('starts it at Daily under the instance id given, and answers ok', async () => {
    const meeting = await meetingOn('daily', 'start-cloud');
    const started = await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID });
    expect(started).toMatchObject({ status: 200, body: { status: 'ok', type: 'cloud', instanceId: CLOUD_ID } });
    expect(started.problems).toEqual([]);
    expect(await startsAtDaily()).toEqual([
      { path: `/v1/rooms/${meeting.roomName}/recordings/start`, body: { type: 'cloud', instanceId: CLOUD_ID } },
    ]);
    expect(await activeAtDaily(meeting.roomName)).toEqual([{ instanceId: CLOUD_ID, type: 'cloud' }]);
  });

  it('answers already_active when another participant started that instance first', async () => {
    const meeting = await meetingOn('daily', 'start-twice');
    expect((await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID })).body?.status).toBe('ok');
    const again = await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID });
    expect(again).toMatchObject({ status: 200, body: { status: 'already_active', instanceId: CLOUD_ID } });
    expect(again.problems).toEqual([]);
    expect(await activeAtDaily(meeting.roomName)).toHaveLength(1);
  });

  it('runs the composite and the raw tracks at once, each under its own id', async () => {
    const meeting = await meetingOn('daily', 'start-both');
    expect((await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID })).body?.status).toBe('ok');
    expect((await start(meeting.id, { type: 'raw-tracks', instanceId: TRACKS_ID })).body?.status).toBe('ok');
    expect(await activeAtDaily(meeting.roomName)).toEqual([
      { instanceId: CLOUD_ID, type: 'cloud' },
      { instanceId: TRACKS_ID, type: 'raw-tracks' },
    ]);
  });

  it.each([
    [500, 503, 'provider-unavailable'],
    [401, 502, 'provider-error'],
  ])('answers Daily’s %i with %i in the service’s error shape', async (daily, status, code) => {
    const meeting = await meetingOn('daily', `start-daily-${daily}`);
    await standIn.fault('daily', { method: 'POST', path: '/recordings/start$', status: daily, times: 5 });
    const started = await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID });
    expect(started).toMatchObject({ status, body: { code, detail: expect.stringContaining('start the recording') } });
    expect(started.problems).toEqual([]);
  });
});

describe('refusals, which change nothing', () => {
  it('answers 404 for an unknown meeting', async () => {
    const started = await start('no-such-meeting', { type: 'cloud', instanceId: CLOUD_ID });
    expect(started).toMatchObject({ status: 404, body: { code: 'not-found' } });
    expect(started.problems).toEqual([]);
    expect(await startsAtDaily()).toEqual([]);
  });

  it('answers 400 for a Whereby meeting, which records on its own trigger', async () => {
    const meeting = await meetingOn('whereby', 'start-whereby');
    const started = await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID });
    expect(started).toMatchObject({
      status: 400,
      body: { code: 'malformed', detail: expect.stringMatching(/whereby/) },
    });
    expect(started.problems).toEqual([]);
  });

  it('answers 409 for a meeting no longer active, and asks Daily nothing', async () => {
    const meeting = await meetingOn('daily', 'start-retired');
    await env.DB.prepare('UPDATE meetings SET is_active = 0 WHERE id = ?').bind(meeting.id).run();
    await standIn.reset('daily');
    const started = await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID });
    expect(started).toMatchObject({ status: 409, body: { code: 'conflict' } });
    expect(started.problems).toEqual([]);
    expect(await startsAtDaily()).toEqual([]);
  });

  it.each([
    [{ type: 'local', instanceId: CLOUD_ID }, 'type'],
    [{ type: 'cloud', instanceId: 'not-a-uuid' }, 'instanceId'],
    [{ type: 'cloud', instanceId: 42 }, 'instanceId'],
    [{ type: 'cloud' }, 'instanceId'],
    [{ instanceId: CLOUD_ID }, 'type'],
    [{ type: 'cloud', instanceId: CLOUD_ID, layout: 'grid' }, 'layout'],
  ])('answers 422 naming the field for %j', async (body, field) => {
    const meeting = await meetingOn('daily', 'start-bad-body');
    const before = await meetingRows();
    const started = await start(meeting.id, body);
    expect(started).toMatchObject({ status: 422, body: { code: 'validation', field } });
    expect(started.problems).toEqual([]);
    expect(await startsAtDaily()).toEqual([]);
    expect(await meetingRows()).toEqual(before);
  });

  it('is rate-limited per client IP and meeting', async () => {
    const meeting = await meetingOn('daily', 'start-limited');
    const ip = { 'cf-connecting-ip': '198.51.100.78' };
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID }, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('a composite and raw tracks of one meeting, both in the bucket', () => {
  /** Daily records straight into our bucket through this role (raw tracks need it). */
  const ROLE = { AWS_DAILY_ROLE_ARN: 'arn:aws:iam::123456789012:role/daily-recordings' };
  const bucket = directBucket();
  const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');

  /** A participant's browser stops the instance at Daily, as the call's end would. */
  const stopAtDaily = (room: string, instanceId: string) =>
    fetch(`${servers.daily.apiUrl}/rooms/${room}/recordings/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${servers.daily.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ instanceId }),
    });
  /** The webhook events Daily sent since, to deliver to the service. */
  const dailyOutbox = async () =>
    (await (await fetch(`${servers.daily.origin}/__control/daily/outbox/take`, { method: 'POST' })).json()) as {
      type: string;
      payload: Record<string, any>;
    }[];

  it('stores two recordings: the composite under Whereby’s key layout, the tracks under the meeting’s key prefix', async () => {
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, { name: 'start-lands', platform: 'daily', raw_tracks: true });
    const joined = await requestWith('/v1/rooms/start-lands/meeting', { method: 'POST' }, { ...env, ...ROLE });
    const meeting = (await joined.json()) as { id: string; room_name: string };
    await standIn.setDailyPresence(meeting.room_name, [{ id: 'alice' }, { id: 'bob' }]);

    expect((await start(meeting.id, { type: 'cloud', instanceId: CLOUD_ID })).body?.status).toBe('ok');
    expect((await start(meeting.id, { type: 'raw-tracks', instanceId: TRACKS_ID })).body?.status).toBe('ok');
    expect((await stopAtDaily(meeting.room_name, CLOUD_ID)).status).toBe(200);
    expect((await stopAtDaily(meeting.room_name, TRACKS_ID)).status).toBe(200);
    const events = await dailyOutbox();
    expect(events.map((event) => [event.type, event.payload.type])).toEqual([
      ['recording.ready-to-download', 'cloud'],
      ['recording.ready-to-download', 'raw-tracks'],
    ]);
    const [composite, tracks] = events.map((event) => event.payload) as [Record<string, any>, Record<string, any>];

    // Daily wrote the files into our bucket, under its own keys, before it said so.
    const sources: Record<string, Uint8Array> = {
      [composite.s3_key]: new Uint8Array(3000).fill(7),
      ...Object.fromEntries(
        tracks.tracks.map((track: { s3Key: string }, i: number) => [track.s3Key, new Uint8Array(1000 + i).fill(i)]),
      ),
    };
    await Promise.all(Object.entries(sources).map(([key, bytes]) => bucket.put(key, bytes)));
    for (const event of events) expect((await sendDaily(event)).status).toBe(200);

    const rows = (
      await env.DB.prepare('SELECT id, platform_recording_id FROM recordings WHERE meeting_id = ? ORDER BY object_key')
        .bind(meeting.id)
        .all<{ id: string; platform_recording_id: string }>()
    ).results;
    expect(rows.map((row) => row.platform_recording_id).sort()).toEqual(
      [composite.recording_id, tracks.recording_id].sort(),
    );
    for (const row of rows) await deliverCopy(row.id, 1, ROLE);

    const stored = (
      await env.DB.prepare(
        'SELECT platform_recording_id, status, object_key, size FROM recordings WHERE meeting_id = ?',
      )
        .bind(meeting.id)
        .all<Record<string, any>>()
    ).results;
    const compositeKey = `${meeting.room_name}-${iso(composite.start_ts)}.mp4`;
    const prefix = `${meeting.room_name}-${iso(tracks.start_ts)}/`;
    expect(stored).toEqual(
      expect.arrayContaining([
        { platform_recording_id: composite.recording_id, status: 'stored', object_key: compositeKey, size: 3000 },
        { platform_recording_id: tracks.recording_id, status: 'stored', object_key: prefix, size: 2001 },
      ]),
    );
    expect(await objectBytes(compositeKey)).toEqual(sources[composite.s3_key]);
    for (const track of tracks.tracks as { s3Key: string }[]) {
      const name = track.s3Key.split('/').pop();
      expect(await objectBytes(`${prefix}${name}`)).toEqual(sources[track.s3Key]);
    }
  });
});
