// Provider webhooks as Daily and Whereby send them (PROVIDERS.md): the event envelopes, the
// people that the room events carry, and each provider's signature headers. The worker tests,
// the proof and `npm run webhook` all sign and shape their events here.
//
// An implementation of its own of the providers' schemes, written from PROVIDERS.md and not from
// worker/ (it imports nothing from there), so that the Worker's receivers are checked against it.
// It runs in Node 24 and in workerd alike: WebCrypto (the global crypto.subtle), no node: modules.

type Platform = 'daily' | 'whereby';

/** A timestamp as the signer is told to write it: any text, so a receiver's checks can be tried. */
type Timestamp = number | string;

const unixSeconds = () => Math.floor(Date.now() / 1000);
const encoder = new TextEncoder();

async function hmacSha256(key: Uint8Array, message: string): Promise<Uint8Array> {
  const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', hmac, encoder.encode(message)));
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
const toBase64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * Daily's headers: HMAC-SHA256 keyed with the base64-DECODED secret over `<timestamp>.<body>`,
 * digest in base64, and the timestamp beside it.
 */
export async function dailySignature(body: string, secret: string, timestamp: Timestamp = unixSeconds()) {
  const signature = await hmacSha256(fromBase64(secret), `${timestamp}.${body}`);
  return { 'x-webhook-signature': toBase64(signature), 'x-webhook-timestamp': String(timestamp) };
}

/** Whereby's header: `t=<unix s>,v1=<hex>`, HMAC-SHA256 keyed with the secret's UTF-8 bytes over `<t>.<body>`. */
export async function wherebySignature(body: string, secret: string, timestamp: Timestamp = unixSeconds()) {
  const signature = await hmacSha256(encoder.encode(secret), `${timestamp}.${body}`);
  return { 'whereby-signature': `t=${timestamp},v1=${toHex(signature)}` };
}

/** The headers a provider's delivery comes with: JSON, signed with that provider's scheme. */
export async function deliveryHeaders(
  platform: Platform,
  body: string,
  secret: string,
  timestamp?: Timestamp,
): Promise<Record<string, string>> {
  const signature =
    platform === 'daily'
      ? await dailySignature(body, secret, timestamp)
      : await wherebySignature(body, secret, timestamp);
  return { 'content-type': 'application/json', ...signature };
}

/** Daily's envelope; its `id` is the idempotency key, a fresh one unless given. */
export const dailyEvent = <Payload>(type: string, payload: Payload, id: string = crypto.randomUUID()) => ({
  version: '1.0.0',
  type,
  id,
  payload,
  event_ts: Date.now() / 1000,
});

/** Whereby's envelope; its `id` is the idempotency key, a fresh one unless given. */
export const wherebyEvent = <Data>(type: string, data: Data, id: string = crypto.randomUUID()) => ({
  id,
  apiVersion: '1.0',
  createdAt: new Date().toISOString(),
  type,
  data,
});

/** Someone in a Daily room, as participant.joined carries them (participant.left adds `duration`). */
export const dailyParticipant = <Fields extends object>(room: string, sessionId: string, fields?: Fields) => ({
  room,
  session_id: sessionId,
  user_id: null as string | null,
  user_name: `Guest ${sessionId}`,
  joined_at: unixSeconds() - 30,
  owner: false,
  will_eject_at: 0,
  permissions: { hasPresence: true, canSend: true },
  ...fields,
});

/** Someone in a Whereby room, as room.client.joined and .left carry them; `roomName` without its slash. */
export const wherebyClient = <Fields extends object>(
  meetingId: string,
  roomName: string,
  participantId: string,
  fields?: Fields,
) => ({
  meetingId,
  roomName: `/${roomName}`,
  roomSessionId: 'session-1',
  participantId,
  displayName: `Guest ${participantId}`,
  roleName: 'visitor',
  numClients: 1,
  numClientsByRoleName: { visitor: 1 },
  metadata: null,
  externalId: null as string | null,
  ...fields,
});
