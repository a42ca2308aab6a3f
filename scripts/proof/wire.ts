// What the proof sends over the wire: requests to the service (send, and must for the
// fixtures' calls that have to succeed), and webhooks signed and shaped as the providers send them.

import { createHmac, randomUUID } from 'node:crypto';

export type Json = Record<string, any>;
export type Headers = Record<string, string>;

export const seconds = () => Math.floor(Date.now() / 1000);
export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
export const J = (value: unknown) => JSON.stringify(value);

// ---------------------------------------------------------------------------------------------
// Webhook signatures, computed here with node:crypto as the providers compute them.

export function dailyHeaders(body: string | Buffer, secret: string, timestamp: number | string = seconds()): Headers {
  const signature = createHmac('sha256', Buffer.from(secret, 'base64'))
    .update(`${timestamp}.`)
    .update(body)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'x-webhook-signature': signature,
    'x-webhook-timestamp': String(timestamp),
  };
}

export function wherebyHeaders(body: string | Buffer, secret: string, timestamp: number | string = seconds()): Headers {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'content-type': 'application/json', 'whereby-signature': `t=${timestamp},v1=${signature}` };
}

export const dailyEvent = (type: string, payload: unknown, id: string = randomUUID()) => ({
  version: '1.0.0',
  type,
  id,
  payload,
  event_ts: seconds(),
});
export const wherebyEvent = (type: string, data: unknown, id: string = randomUUID()) => ({
  id,
  apiVersion: '1.0',
  createdAt: new Date().toISOString(),
  type,
  data,
});

export const dailyPerson = (room: string, sessionId: string) => ({
  room,
  session_id: sessionId,
  user_id: null,
  user_name: `Guest ${sessionId}`,
  joined_at: seconds() - 5,
  owner: false,
  will_eject_at: 0,
  permissions: { hasPresence: true, canSend: true },
});

export const wherebyClient = (meetingId: string, roomName: string, participantId: string) => ({
  meetingId,
  roomName: `/${roomName}`,
  roomSessionId: 'session-1',
  participantId,
  displayName: `Guest ${participantId}`,
  roleName: 'visitor',
  numClients: 1,
  metadata: null,
  externalId: null,
});

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  status: number;
  headers: globalThis.Headers;
  text: string;
  body: Json | null;
}

export async function send(url: string, init: RequestInit & { headers?: Headers }): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000), ...init });
  const text = await response.text();
  let body: Json | null = null;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A call the fixtures need to succeed. */
export async function must(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; expect?: number } = {},
): Promise<Json> {
  const headers: Headers = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const answer = await send(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (answer.status !== (options.expect ?? 200))
    throw new Error(`fixture ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.body ?? {};
}
