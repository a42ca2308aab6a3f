import { env } from 'cloudflare:workers';
import { createHmac, randomUUID } from 'node:crypto';
import { WEBHOOK_SECRETS } from '../servers';
import { call, createRoom, OWNER, setFlags } from './helpers';

// Signed provider webhooks for the tests. The HMACs are computed here with node:crypto,
// independently of the Worker's WebCrypto code under test.

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function dailySignature(body: string, options: { timestamp?: string | number; secret?: string } = {}) {
  const timestamp = String(options.timestamp ?? nowSeconds());
  const key = Buffer.from(options.secret ?? WEBHOOK_SECRETS.daily, 'base64');
  const signature = createHmac('sha256', key).update(`${timestamp}.${body}`).digest('base64');
  return { 'x-webhook-signature': signature, 'x-webhook-timestamp': timestamp };
}

export function wherebySignature(body: string, options: { timestamp?: number; secret?: string } = {}) {
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = createHmac('sha256', options.secret ?? WEBHOOK_SECRETS.whereby)
    .update(`${timestamp}.${body}`)
    .digest('hex');
  return { 'whereby-signature': `t=${timestamp},v1=${signature}` };
}

export const dailyEvent = (type: string, payload: Record<string, unknown>, id: string = randomUUID()) => ({
  version: '1.0.0',
  type,
  id,
  payload,
  event_ts: Date.now() / 1000,
});

export const wherebyEvent = (type: string, data: Record<string, unknown>, id: string = randomUUID()) => ({
  id,
  apiVersion: '1.0',
  createdAt: new Date().toISOString(),
  type,
  data,
});

type Headers = Record<string, string>;

/** Posts a Daily event, signed unless headers are given. */
export function sendDaily(event: unknown, headers?: Headers) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  return call('POST', '/v1/daily/webhook', { body, headers: headers ?? dailySignature(body) });
}

export function sendWhereby(event: unknown, headers?: Headers) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  return call('POST', '/v1/whereby', { body, headers: headers ?? wherebySignature(body) });
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
