import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailySignature, wherebyEvent } from '../../dev/provider-webhooks';
import { WEBHOOK_SECRETS } from '../servers';
import { createRoom, type LoggedRequest, OWNER, requestWith, resetWorld, servers, setFlags, standIn } from './helpers';
import { meetingOn, numClients, sendDaily, sendWhereby } from './webhook-helpers';

// Whereby starts a room's cloud recording on its trigger by itself; a Daily meeting is told to
// start it when a join brings the meeting to the trigger's count (PROVIDERS.md: POST
// /rooms/:name/recordings/start). The start runs after the webhook's 200.

beforeEach(resetWorld);

const starts = async () =>
  (await standIn.requests('daily')).filter((request: LoggedRequest) => /\/recordings\/start$/.test(request.path));
const joined = (roomName: string, sessionId: string) =>
  JSON.stringify(
    dailyEvent('participant.joined', {
      room: roomName,
      session_id: sessionId,
      user_id: null,
      user_name: sessionId,
      joined_at: Date.now() / 1000,
    }),
  );
const join = (roomName: string, sessionId: string) => sendDaily(joined(roomName, sessionId));
/** The starts once the work after the answers has run; then a moment more, to see that no other comes. */
async function settledStarts(expected: number) {
  await vi.waitFor(async () => expect(await starts()).toHaveLength(expected), { timeout: 5_000, interval: 50 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return starts();
}

describe('a Daily meeting’s recording trigger', () => {
  it('automatic-2nd-participant: the second person in starts a cloud recording, once', async () => {
    const meeting = await meetingOn('daily', 'trigger-second');
    expect((await join(meeting.roomName, 'ada')).body).toEqual({ status: 'applied' });
    expect(await settledStarts(0)).toEqual([]);

    const second = dailyEvent('participant.joined', {
      room: meeting.roomName,
      session_id: 'bo',
      user_id: null,
      user_name: 'Bo',
      joined_at: Date.now() / 1000,
    });
    expect((await sendDaily(second)).body).toEqual({ status: 'applied' });
    // Daily delivering the same join again, and a third person, start nothing more.
    expect((await sendDaily(second)).body).toEqual({ status: 'duplicate' });
    await join(meeting.roomName, 'cy');
    const [start] = await settledStarts(1);
    expect(start).toMatchObject({
      method: 'POST',
      path: `/v1/rooms/${meeting.roomName}/recordings/start`,
      body: { type: 'cloud' },
    });
    expect(start?.authorization).toBe(`Bearer ${servers.daily.apiKey}`);
  });

  it('automatic: the first person in starts it', async () => {
    const meeting = await meetingOn('daily', 'trigger-first', { recording_trigger: 'automatic' });
    await join(meeting.roomName, 'ada');
    expect(await settledStarts(1)).toMatchObject([{ body: { type: 'cloud' } }]);
  });

  it.each([
    ['prompt', { recording_trigger: 'prompt' }],
    ['none', { recording_trigger: 'none' }],
    ['a local recording', { recording_type: 'local' }],
    ['no recording', { recording_type: 'none' }],
  ])('%s: nobody’s join starts one', async (_, room) => {
    const meeting = await meetingOn('daily', `trigger-never-${Object.values(room)[0]}`, {
      recording_trigger: 'automatic',
      ...room,
    });
    await join(meeting.roomName, 'ada');
    await join(meeting.roomName, 'bo');
    expect(await settledStarts(0)).toEqual([]);
  });

  it('a refused start leaves the webhook’s answer and the join as they were, and counts as a failed call', async () => {
    const meeting = await meetingOn('daily', 'trigger-refused', { recording_trigger: 'automatic' });
    await standIn.fault('daily', {
      method: 'POST',
      path: '/recordings/start$',
      status: 400,
      body: { error: 'invalid-request-error', info: 'recording already in progress' },
    });
    const answer = await join(meeting.roomName, 'ada');
    expect(answer.body).toEqual({ status: 'applied' });
    await settledStarts(1);
    expect(await numClients(meeting.id)).toBe(1);
    await vi.waitFor(async () => {
      const failures = await env.DB.prepare(
        "SELECT sum(count) AS n FROM metric_counts WHERE platform = 'daily' AND name = 'provider_failures'",
      ).first<{ n: number | null }>();
      expect(failures?.n).toBe(1);
    });
  });

  it('starts raw tracks in a room made to record them', async () => {
    const role = { AWS_DAILY_ROLE_ARN: 'arn:aws:iam::123456789012:role/daily-recordings' };
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, {
      name: 'trigger-tracks',
      platform: 'daily',
      raw_tracks: true,
      recording_trigger: 'automatic',
    });
    const meeting = (await (
      await requestWith('/v1/rooms/trigger-tracks/meeting', { method: 'POST' }, { ...env, ...role })
    ).json()) as { room_name: string };
    const body = joined(meeting.room_name, 'ada');
    expect(
      (
        await requestWith(
          '/v1/daily/webhook',
          { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
          { ...env, ...role },
        )
      ).status,
    ).toBe(200);
    expect(await settledStarts(1)).toMatchObject([{ body: { type: 'raw-tracks' } }]);
  });
});

describe('a Whereby meeting', () => {
  it('is never told to start: Whereby starts on the trigger it was created with', async () => {
    const meeting = await meetingOn('whereby', 'trigger-whereby', { recording_trigger: 'automatic' });
    const before = (await standIn.requests('whereby')).length;
    for (const participantId of ['ada', 'bo']) {
      const answer = await sendWhereby(
        wherebyEvent('room.client.joined', {
          meetingId: meeting.platformMeetingId,
          roomName: `/${meeting.roomName}`,
          participantId,
        }),
      );
      expect(answer.body).toEqual({ status: 'applied' });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await standIn.requests('whereby')).toHaveLength(before);
  });
});

describe('a Daily meeting whose provider settings went missing', () => {
  it('still applies the join; the start is only logged as failed', async () => {
    const meeting = await meetingOn('daily', 'trigger-unconfigured', { recording_trigger: 'automatic' });
    const body = joined(meeting.roomName, 'ada');
    const answer = await requestWith(
      '/v1/daily/webhook',
      { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
      { ...env, DAILY_API_KEY: '' },
    );
    expect(answer.status).toBe(200);
    expect(await numClients(meeting.id)).toBe(1);
    expect(await settledStarts(0)).toEqual([]);
  });
});
