// `npm run webhook -- <daily|whereby> <event type> --room <room name> [options]`: sends a
// correctly signed provider webhook to the local service, for trying the receivers by hand.
//
//   npm run webhook -- daily participant.joined --room team-standup --participant alice
//   npm run webhook -- whereby room.client.left --room team-standup --participant alice
//   npm run webhook -- daily recording.ready-to-download --room team-standup --recording rec-1
//
// The room's active meeting (created if none) is the event's meeting. The secret is the one the
// local service uses: environment, then .dev.vars, then the local default (as npm start).

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  dailyEvent,
  dailyParticipant,
  deliveryHeaders,
  wherebyClient,
  wherebyEvent,
} from '../dev/provider-webhooks.ts';
import { localWebhookSecrets, mergeSettings, readDevVars, settingsFromEnvironment } from './local/settings.ts';
import { queryLocalD1 } from './local/wrangler.ts';

const USAGE = `usage: npm run webhook -- <daily|whereby> <event type> --room <room name>
  [--participant ID] [--name DISPLAY_NAME] [--recording ID] [--url http://127.0.0.1:8787] [--repeat N]
Daily types: meeting.started meeting.ended participant.joined participant.left recording.started
  recording.ready-to-download recording.error
Whereby types: room.client.joined room.client.left room.session.started room.session.ended recording.finished`;

interface Meeting {
  id: string;
  roomName: string;
  platformMeetingId: string;
}

interface Options {
  participant: string;
  name: string;
  recording: string;
}

const now = () => Math.floor(Date.now() / 1000);

function dailyEventFor(type: string, meeting: Meeting, options: Options) {
  const room = meeting.roomName;
  const person = dailyParticipant(room, options.participant, { user_name: options.name, joined_at: now() - 60 });
  const payloads: Record<string, Record<string, unknown>> = {
    'meeting.started': { start_ts: now(), meeting_id: randomUUID(), room },
    'meeting.ended': { start_ts: now() - 600, end_ts: now(), meeting_id: randomUUID(), room },
    'participant.joined': person,
    'participant.left': { ...person, duration: 60 },
    'recording.started': {
      recording_id: options.recording,
      action: 'start-cloud-recording',
      layout: { preset: 'default' },
      started_by: options.participant,
      instance_id: randomUUID(),
      start_ts: now(),
    },
    'recording.ready-to-download': {
      type: 'cloud',
      recording_id: options.recording,
      room_name: room,
      start_ts: now() - 600,
      status: 'finished',
      max_participants: 2,
      duration: 600,
      s3_key: `local/${room}/${options.recording}`,
    },
    'recording.error': {
      action: 'cloud-recording-error',
      error_msg: 'local test error',
      instance_id: randomUUID(),
      room_name: room,
      timestamp: now(),
    },
  };
  const payload = payloads[type];
  if (!payload) throw new Error(`unknown Daily event type "${type}"\n${USAGE}`);
  return dailyEvent(type, payload);
}

function wherebyEventFor(type: string, meeting: Meeting, options: Options) {
  const room = { meetingId: meeting.platformMeetingId, roomName: `/${meeting.roomName}` };
  const client = wherebyClient(meeting.platformMeetingId, meeting.roomName, options.participant, {
    roomSessionId: randomUUID(),
    displayName: options.name,
  });
  const data: Record<string, Record<string, unknown>> = {
    'room.client.joined': client,
    'room.client.left': client,
    'room.session.started': { ...room, roomSessionId: randomUUID() },
    'room.session.ended': { ...room, roomSessionId: randomUUID() },
    'recording.finished': {
      ...room,
      recordingId: options.recording,
      filename: `${meeting.roomName}-${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}.mp4`,
      status: 'completed',
    },
  };
  const body = data[type];
  if (!body) throw new Error(`unknown Whereby event type "${type}"\n${USAGE}`);
  return wherebyEvent(type, body);
}

/** The room's active meeting, through the API, with the provider ids only the database holds. */
async function activeMeeting(url: string, room: string): Promise<Meeting> {
  const response = await fetch(`${url}/v1/rooms/${encodeURIComponent(room)}/meeting`, { method: 'POST' });
  const body = (await response.json()) as { id?: string; detail?: string };
  if (!response.ok || !body.id) throw new Error(`joining "${room}" failed: ${response.status} ${body.detail ?? ''}`);
  if (!/^[0-9a-f-]{36}$/.test(body.id)) throw new Error(`unexpected meeting id ${body.id}`);
  const [result] = await queryLocalD1(
    `SELECT id, room_name, platform_meeting_id FROM meetings WHERE id = '${body.id}'`,
  );
  const row = result?.results[0] as { id: string; room_name: string; platform_meeting_id: string } | undefined;
  if (!row)
    throw new Error(`meeting ${body.id} is not in the local D1 (is npm start using the default .wrangler/state?)`);
  return { id: row.id, roomName: row.room_name, platformMeetingId: row.platform_meeting_id };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      room: { type: 'string' },
      participant: { type: 'string', default: `participant-${randomUUID().slice(0, 8)}` },
      name: { type: 'string', default: 'Local Tester' },
      recording: { type: 'string', default: `recording-${randomUUID().slice(0, 8)}` },
      url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || 8787}` },
      repeat: { type: 'string', default: '1' },
    },
  });
  const [provider, type] = positionals;
  if ((provider !== 'daily' && provider !== 'whereby') || !type || !values.room) throw new Error(USAGE);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100)
    throw new Error('--repeat takes a whole number from 1 to 100');

  const settings = mergeSettings([localWebhookSecrets], readDevVars(), settingsFromEnvironment()).values;
  const secret = provider === 'daily' ? settings.DAILY_WEBHOOK_SECRET : settings.WHEREBY_WEBHOOK_SECRET;
  if (!secret) throw new Error(`${provider === 'daily' ? 'DAILY' : 'WHEREBY'}_WEBHOOK_SECRET is empty`);

  const meeting = await activeMeeting(values.url, values.room);
  const options = { participant: values.participant, name: values.name, recording: values.recording };
  const event = provider === 'daily' ? dailyEventFor(type, meeting, options) : wherebyEventFor(type, meeting, options);
  const body = JSON.stringify(event);
  const path = provider === 'daily' ? '/v1/daily/webhook' : '/v1/whereby';
  // --repeat sends the same event again: a provider's duplicate delivery.
  for (let i = 0; i < repeat; i++) {
    const response = await fetch(`${values.url}${path}`, {
      method: 'POST',
      headers: await deliveryHeaders(provider, body, secret),
      body,
    });
    console.log(`${response.status} ${await response.text()}  (${provider} ${type} ${event.id})`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
