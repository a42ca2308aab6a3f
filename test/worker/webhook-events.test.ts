import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { dailyEvent, dailyParticipant, dailySignature, wherebyClient, wherebyEvent } from '../../dev/provider-webhooks';
import { WEBHOOK_SECRETS } from '../servers';
import { call, requestWith, resetWorld, tokenFor } from './helpers';
import { meetingOn, numClients, sendDaily, sendWhereby, webhookState } from './webhook-helpers';

// What each provider event does once it is taken, route by route (a Whereby knock does nothing).
// The signatures, what the webhooks refuse and the other events they leave alone are in
// webhook-security.test.ts.

beforeEach(resetWorld);

const seconds = (offset = 0) => Math.floor(Date.now() / 1000) + offset;
const meetingRow = (id: string) =>
  env.DB.prepare('SELECT * FROM meetings WHERE id = ?').bind(id).first<Record<string, any>>();
const recordingRows = () =>
  env.DB.prepare('SELECT * FROM recordings ORDER BY created_at')
    .all<Record<string, any>>()
    .then((r) => r.results);

/** A queue that keeps what is sent, for the tests that follow the copy hand-off. */
function recordingQueue() {
  const sent: unknown[] = [];
  return {
    sent,
    queue: {
      send: async (body: unknown) => void sent.push(body),
      sendBatch: async () => undefined,
    } as unknown as Queue,
  };
}

describe('POST /v1/daily/webhook', () => {
  describe('happy path', () => {
    it('participant.joined and .left keep the sessions and num_clients', async () => {
      const meeting = await meetingOn('daily', 'daily-people');
      // One person's join and leave carry the same joined_at, as Daily sends them (made once: a
      // second boundary between two makes would put the leave a second off).
      const a = dailyParticipant(meeting.roomName, 'a', { user_id: 'user-a' });
      await sendDaily(dailyEvent('participant.joined', a));
      await sendDaily(dailyEvent('participant.joined', dailyParticipant(meeting.roomName, 'b')));
      expect(await numClients(meeting.id)).toBe(2);
      await sendDaily(dailyEvent('participant.left', { ...a, user_id: null, duration: 42 }));
      expect(await numClients(meeting.id)).toBe(1);

      const { sessions } = await webhookState();
      expect(sessions).toEqual([
        expect.objectContaining({
          participant_id: 'a',
          user_id: 'user-a',
          user_name: 'Guest a',
          left_at: expect.any(Number),
        }),
        expect.objectContaining({ participant_id: 'b', left_at: null }),
      ]);
      const session = sessions?.[0] as { joined_at: number; left_at: number };
      expect(session.left_at - session.joined_at).toBe(42_000);

      // The join page shows the count the webhooks keep.
      expect((await call('POST', '/v1/rooms/daily-people/meeting')).body?.num_clients).toBe(1);
    });

    it('meeting.started records the session; meeting.ended retires the empty meeting', async () => {
      const meeting = await meetingOn('daily', 'daily-life');
      const [start, end] = [seconds(-100), seconds(-5)];
      await sendDaily(dailyEvent('meeting.started', { start_ts: start, meeting_id: 'm-1', room: meeting.roomName }));
      expect(await meetingRow(meeting.id)).toMatchObject({ is_active: 1, session_started_at: start * 1000 });
      await sendDaily(
        dailyEvent('meeting.ended', { start_ts: start, end_ts: end, meeting_id: 'm-1', room: meeting.roomName }),
      );
      // Retired when the session ended: its consent answers close an hour after that (SPEC §14).
      expect(await meetingRow(meeting.id)).toMatchObject({
        is_active: 0,
        session_ended_at: end * 1000,
        retired_at: end * 1000,
      });
      // The next join opens a new meeting.
      expect((await call('POST', '/v1/rooms/daily-life/meeting')).body?.id).not.toBe(meeting.id);
    });

    it('meeting.ended keeps the meeting while people are still counted in it', async () => {
      const meeting = await meetingOn('daily', 'daily-lingering');
      await sendDaily(dailyEvent('participant.joined', dailyParticipant(meeting.roomName, 'stays')));
      await sendDaily(
        dailyEvent('meeting.ended', {
          start_ts: seconds(-100),
          end_ts: seconds(),
          meeting_id: 'm',
          room: meeting.roomName,
        }),
      );
      expect(await meetingRow(meeting.id)).toMatchObject({ is_active: 1, retired_at: null });
    });

    it('an old meeting.ended arriving after a newer meeting.started does not end the new session', async () => {
      const meeting = await meetingOn('daily', 'daily-late-end');
      await sendDaily(
        dailyEvent('meeting.started', { start_ts: seconds(-10), meeting_id: 'm2', room: meeting.roomName }),
      );
      await sendDaily(
        dailyEvent('meeting.ended', {
          start_ts: seconds(-100),
          end_ts: seconds(-50),
          meeting_id: 'm1',
          room: meeting.roomName,
        }),
      );
      expect(await meetingRow(meeting.id)).toMatchObject({ is_active: 1 });
    });

    it('recording.started, then ready-to-download: a row in Whereby’s key layout, handed to the copy queue', async () => {
      const meeting = await meetingOn('daily', 'daily-tape');
      const { queue, sent } = recordingQueue();
      const send = async (event: unknown) => {
        const body = JSON.stringify(event);
        return requestWith(
          '/v1/daily/webhook',
          { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
          { ...env, RECORDING_COPIES: queue },
        );
      };
      const start = Date.UTC(2026, 10, 24, 10, 15, 2) / 1000;
      await send(
        dailyEvent('recording.started', {
          recording_id: 'rec-1',
          action: 'start-cloud-recording',
          layout: {},
          started_by: 's',
          instance_id: 'inst-1',
          start_ts: start,
        }),
      );
      expect(await recordingRows()).toMatchObject([
        {
          platform: 'daily',
          platform_recording_id: 'rec-1',
          status: 'recording',
          meeting_id: null,
          instance_id: 'inst-1',
        },
      ]);

      const ready = await send(
        dailyEvent('recording.ready-to-download', {
          type: 'cloud',
          recording_id: 'rec-1',
          room_name: meeting.roomName,
          start_ts: start,
          status: 'finished',
          max_participants: 2,
          duration: 1800,
          s3_key: `daily-domain/${meeting.roomName}/1700000000`,
        }),
      );
      expect(ready.status).toBe(200);
      const [row] = await recordingRows();
      expect(row).toMatchObject({
        status: 'ready',
        meeting_id: meeting.id,
        duration: 1800,
        object_key: `${meeting.roomName}-2026-11-24T10:15:02Z.mp4`,
      });
      expect(sent).toEqual([{ kind: 'copy-daily-recording', recordingId: row?.id }]);
    });

    it('a ready recording of a room that records into the bucket is moved from Daily’s key to Whereby’s layout', async () => {
      const { queue, sent } = recordingQueue();
      const local = { ...env, RECORDING_COPIES: queue, AWS_DAILY_ROLE_ARN: 'arn:aws:iam::1:role/daily' };
      await env.FLAGS.put('DAILY_MIGRATION_ENABLED', 'true');
      const { forgetCachedFlags } = await import('../../worker/rollout/flags');
      forgetCachedFlags();
      await call('POST', '/v1/rooms', {
        body: { name: 'direct-tape', platform: 'daily' },
        token: await tokenFor('owner-1'),
      });
      const joined = (await (await requestWith('/v1/rooms/direct-tape/meeting', { method: 'POST' }, local)).json()) as {
        room_name: string;
      };
      const started = seconds(-600);
      const body = JSON.stringify(
        dailyEvent('recording.ready-to-download', {
          type: 'cloud',
          recording_id: 'rec-d',
          room_name: joined.room_name,
          start_ts: started,
          status: 'finished',
          duration: 600,
          s3_key: 'daily/direct-tape/1.mp4',
        }),
      );
      expect(
        (
          await requestWith(
            '/v1/daily/webhook',
            { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
            local,
          )
        ).status,
      ).toBe(200);
      const [row] = await recordingRows();
      expect(row).toMatchObject({
        status: 'ready',
        object_key: `${joined.room_name}-${new Date(started * 1000).toISOString().replace('.000Z', 'Z')}.mp4`,
      });
      expect(JSON.parse(row?.tracks)).toEqual([
        { key: row?.object_key, type: 'composite', source_key: 'daily/direct-tape/1.mp4' },
      ]);
      expect(sent).toEqual([{ kind: 'copy-daily-recording', recordingId: row?.id }]);
    });

    it('recording.error marks the recording of that instance failed with the reason', async () => {
      const meeting = await meetingOn('daily', 'daily-broken-tape');
      await sendDaily(
        dailyEvent('recording.started', { recording_id: 'rec-2', instance_id: 'inst-2', start_ts: seconds() }),
      );
      await sendDaily(
        dailyEvent('recording.error', {
          action: 'cloud-recording-error',
          error_msg: 'disk full',
          instance_id: 'inst-2',
          room_name: meeting.roomName,
          timestamp: seconds(),
        }),
      );
      expect(await recordingRows()).toMatchObject([
        { platform_recording_id: 'rec-2', status: 'failed', error: 'disk full' },
      ]);
    });

    it('recording.error of a recording never announced still leaves a failed row', async () => {
      const meeting = await meetingOn('daily', 'daily-silent-tape');
      await sendDaily(
        dailyEvent('recording.error', {
          action: 'cloud-recording-error',
          error_msg: 'no start',
          instance_id: 'inst-3',
          room_name: meeting.roomName,
          timestamp: seconds(),
        }),
      );
      expect(await recordingRows()).toMatchObject([
        { status: 'failed', error: 'no start', meeting_id: meeting.id, instance_id: 'inst-3' },
      ]);
    });

    it('a late recording.started never moves a ready recording back', async () => {
      const meeting = await meetingOn('daily', 'daily-reordered-tape');
      await sendDaily(
        dailyEvent('recording.ready-to-download', {
          type: 'cloud',
          recording_id: 'rec-4',
          room_name: meeting.roomName,
          start_ts: seconds(-60),
          status: 'finished',
          duration: 60,
        }),
      );
      await sendDaily(dailyEvent('recording.started', { recording_id: 'rec-4', start_ts: seconds(-60) }));
      expect(await recordingRows()).toMatchObject([{ status: 'ready' }]);
    });

    it('keeps each event’s receipt, type, meeting, outcome and delay', async () => {
      const meeting = await meetingOn('daily', 'logged');
      const event = {
        ...dailyEvent('participant.joined', dailyParticipant(meeting.roomName, 'x'), 'evt-logged'),
        event_ts: Date.now() / 1000 - 2,
      };
      const before = Date.now();
      await sendDaily(event);
      const { events } = await webhookState();
      expect(events).toEqual([
        {
          platform: 'daily',
          event_id: 'evt-logged',
          type: 'participant.joined',
          meeting_id: meeting.id,
          outcome: 'applied',
          event_at: Math.round(event.event_ts * 1000),
          received_at: expect.any(Number),
          delay_ms: expect.any(Number),
        },
      ]);
      const row = events?.[0] as { received_at: number; delay_ms: number };
      expect(row.received_at).toBeGreaterThanOrEqual(before);
      expect(row.delay_ms).toBeGreaterThanOrEqual(2000);
      expect(row.delay_ms).toBeLessThan(10_000);
    });
  });
});

describe('POST /v1/whereby', () => {
  const client = (meeting: { platformMeetingId: string; roomName: string }, participantId: string) =>
    wherebyClient(meeting.platformMeetingId, meeting.roomName, participantId, {
      displayName: `Person ${participantId}`,
    });

  describe('happy path', () => {
    it('room.client.joined and .left keep the sessions and num_clients', async () => {
      const meeting = await meetingOn('whereby', 'whereby-people');
      await sendWhereby(wherebyEvent('room.client.joined', client(meeting, 'p1')));
      await sendWhereby(wherebyEvent('room.client.joined', client(meeting, 'p2')));
      await sendWhereby(wherebyEvent('room.client.left', client(meeting, 'p1')));
      expect(await numClients(meeting.id)).toBe(1);
      expect((await webhookState()).sessions).toMatchObject([
        { participant_id: 'p1', user_name: 'Person p1', left_at: expect.any(Number) },
        { participant_id: 'p2', left_at: null },
      ]);
    });

    it('room.session.started and .ended update the meeting', async () => {
      const meeting = await meetingOn('whereby', 'whereby-life');
      const data = { meetingId: meeting.platformMeetingId, roomName: `/${meeting.roomName}`, roomSessionId: 'rs' };
      await sendWhereby(wherebyEvent('room.session.started', data));
      expect(await meetingRow(meeting.id)).toMatchObject({ is_active: 1, session_started_at: expect.any(Number) });
      await sendWhereby({
        ...wherebyEvent('room.session.ended', data),
        createdAt: new Date(Date.now() + 1000).toISOString(),
      });
      expect(await meetingRow(meeting.id)).toMatchObject({ is_active: 0, session_ended_at: expect.any(Number) });
    });

    it('recording.finished records the object Whereby wrote to the bucket as stored', async () => {
      const meeting = await meetingOn('whereby', 'whereby-tape');
      const filename = `${meeting.roomName}-2026-11-24T10:15:02Z.mp4`;
      const response = await sendWhereby(
        wherebyEvent('recording.finished', {
          filename,
          recordingId: 'wrec-1',
          roomName: `/${meeting.roomName}`,
          status: 'completed',
        }),
      );
      expect(response.body).toEqual({ status: 'applied' });
      expect(await recordingRows()).toMatchObject([
        {
          platform: 'whereby',
          platform_recording_id: 'wrec-1',
          status: 'stored',
          object_key: filename,
          meeting_id: meeting.id,
        },
      ]);
    });
  });

  describe('error cases', () => {
    it('room.client.knocked is logged and not acted on', async () => {
      const meeting = await meetingOn('whereby', 'whereby-knock');
      const response = await sendWhereby(wherebyEvent('room.client.knocked', client(meeting, 'k')));
      expect(response.body).toEqual({ status: 'unknown-type' });
      expect(await numClients(meeting.id)).toBe(0);
    });
  });
});
