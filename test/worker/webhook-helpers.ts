import { env } from 'cloudflare:workers';
import {
  dailyEvent,
  dailyParticipant,
  dailySignature,
  wherebyClient,
  wherebyEvent,
  wherebySignature,
} from '../../dev/provider-webhooks';
import { WEBHOOK_SECRETS } from '../servers';
import { call, createRoom, OWNER, setFlags } from './helpers';

// Provider webhooks delivered to the Worker under test, and the state they change. The events
// and signatures themselves come from dev/provider-webhooks.ts, which knows nothing of worker/.

type Headers = Record<string, string>;

/** Posts a Daily event, signed with the test Worker's secret unless headers are given. */
export async function sendDaily(event: unknown, headers?: Headers) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  return call('POST', '/v1/daily/webhook', {
    body,
    headers: headers ?? (await dailySignature(body, WEBHOOK_SECRETS.daily)),
  });
}

/** Posts a Whereby event, signed with the test Worker's secret unless headers are given. */
export async function sendWhereby(event: unknown, headers?: Headers) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  return call('POST', '/v1/whereby', {
    body,
    headers: headers ?? (await wherebySignature(body, WEBHOOK_SECRETS.whereby)),
  });
}

/** A room with an active meeting on the platform; its provider room name and meeting id. */
export async function meetingOn(platform: 'daily' | 'whereby', name: string, room: Record<string, unknown> = {}) {
  if (platform === 'daily') await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
  await createRoom(OWNER, { name, platform, ...room });
  const joined = await call('POST', `/v1/rooms/${name}/meeting`);
  if (joined.status !== 200) throw new Error(`no meeting: ${JSON.stringify(joined.body)}`);
  const row = await env.DB.prepare('SELECT id, room_name, platform_meeting_id FROM meetings WHERE id = ?')
    .bind(joined.body?.id)
    .first<{ id: string; room_name: string; platform_meeting_id: string }>();
  if (!row) throw new Error('meeting row missing');
  return { id: row.id, roomName: row.room_name, platformMeetingId: row.platform_meeting_id };
}

/** Everything a webhook can change, to compare before and after a request. */
export async function webhookState() {
  const [events, sessions, meetings, recordings] = await env.DB.batch([
    env.DB.prepare('SELECT * FROM webhook_events ORDER BY platform, event_id'),
    env.DB.prepare('SELECT * FROM participant_sessions ORDER BY meeting_id, participant_id'),
    env.DB.prepare('SELECT * FROM meetings ORDER BY id'),
    env.DB.prepare('SELECT * FROM recordings ORDER BY id'),
  ]);
  return {
    events: events?.results,
    sessions: sessions?.results,
    meetings: meetings?.results,
    recordings: recordings?.results,
  };
}

export const numClients = async (meetingId: string) =>
  (
    await env.DB.prepare('SELECT num_clients FROM meetings WHERE id = ?')
      .bind(meetingId)
      .first<{ num_clients: number }>()
  )?.num_clients;

/** Someone joins the meeting, as its provider's webhook tells: the meeting then has people counted in it. */
export async function someoneJoins(meetingId: string, participantId = 'someone') {
  const meeting = await env.DB.prepare('SELECT platform, room_name, platform_meeting_id FROM meetings WHERE id = ?')
    .bind(meetingId)
    .first<{ platform: string; room_name: string; platform_meeting_id: string }>();
  if (!meeting) throw new Error(`no meeting ${meetingId}`);
  const answer =
    meeting.platform === 'daily'
      ? await sendDaily(dailyEvent('participant.joined', dailyParticipant(meeting.room_name, participantId)))
      : await sendWhereby(
          wherebyEvent(
            'room.client.joined',
            wherebyClient(meeting.platform_meeting_id, meeting.room_name, participantId),
          ),
        );
  if (answer.body?.status !== 'applied') throw new Error(`the join was not applied: ${JSON.stringify(answer.body)}`);
}
