import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import { inject } from 'vitest';
import { PLATFORMS } from '../../domain/rooms';
import { app } from '../../worker/app';
import { forgetFoundMeetings } from '../../worker/db/meeting-lookup';
import worker from '../../worker/index';
import { breakerObject } from '../../worker/platforms/breaker-object';
import type { RecordingCopyMessage } from '../../worker/recordings/copy-message';
import { s3Bucket } from '../../worker/recordings/s3';
import { FLAG_KEYS, type FlagKey, forgetCachedFlags } from '../../worker/rollout/flags';

// What the worker tests share: calls to the Worker, tokens signed as the identity provider
// would (or forged), the provider stand-ins' and the S3 fault proxy's control endpoints, and a
// look at the S3 server's objects.

export const servers = inject('servers');

type KeyName = keyof typeof servers.identity.keys;

/**
 * A JWT for `sub`, signed with one of the identity provider's keys (or one it does not know),
 * with any further `claims` (an `email`, a `name`).
 */
export async function tokenFor(
  sub: string,
  options: {
    key?: KeyName;
    issuer?: string;
    audience?: string;
    expiresIn?: string | number;
    /** More claims: a `name`, an `email`. */
    claims?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const { alg, kid, privateJwk } = servers.identity.keys[options.key ?? 'rsa'];
  const key = await importJWK(privateJwk, alg);
  return new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg, kid })
    .setSubject(sub)
    .setIssuer(options.issuer ?? servers.identity.issuer)
    .setAudience(options.audience ?? servers.identity.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(key);
}

interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

function clientRequest(method: string, path: string, options: CallOptions): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`https://rooms.test${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
}

async function answerOf(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, any>) : null,
  };
}

/** Calls the Worker like a client would: through its fetch handler. */
export async function call(method: string, path: string, options: CallOptions = {}) {
  return answerOf(await exports.default.fetch(clientRequest(method, path, options)));
}

/**
 * Like call, and returns once the work the request left for after its answer (ctx.waitUntil: a
 * provider room ended, counts written) is done too; `answeredAfterMs` is how long the answer took.
 * `bindings` stand in for the Worker's own (a setting changed, a failing D1).
 */
export async function callAndWait(
  method: string,
  path: string,
  options: CallOptions & { bindings?: Record<string, unknown> } = {},
) {
  const ctx = createExecutionContext();
  const started = Date.now();
  const answer = await answerOf(
    await app.fetch(clientRequest(method, path, options), { ...env, ...options.bindings }, ctx),
  );
  const answeredAfterMs = Date.now() - started;
  await waitOnExecutionContext(ctx);
  return { ...answer, answeredAfterMs };
}

/** Calls the Worker's app with bindings of the test's own (a setting missing or changed), in an execution context as the runtime gives. */
export const requestWith = (path: string, init: RequestInit, bindings: object) =>
  app.request(path, init, bindings, createExecutionContext());

export type Provider = 'daily' | 'whereby';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  range: string | null;
  contentLength: string | null;
  body: any;
}

/**
 * The next `times` requests (default 1) of `method` (default any) whose path, or path?query,
 * matches the regex `path` get this answer instead: `status` 0 drops the connection; with
 * `cut_after_bytes` the real answer comes but stops after that many body bytes (status unused);
 * `delay_ms` without a status: the real answer, that much later.
 * `times: 'until-cleared'` is an outage: it lasts until `standIn.clearFaults` ends it.
 */
export interface Fault {
  method?: string;
  path: string;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number | 'until-cleared';
  delay_ms?: number;
  cut_after_bytes?: number;
}

async function control(provider: Provider | 's3', method: string, path: string, body?: unknown) {
  const origin = provider === 's3' ? servers.s3.proxy : servers[provider].origin;
  const response = await fetch(`${origin}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`stand-in control ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

export const standIn = {
  reset: (provider: Provider) => control(provider, 'POST', '/reset'),
  requests: (provider: Provider) => control(provider, 'GET', '/requests') as Promise<LoggedRequest[]>,
  fault: (provider: Provider, fault: Fault) => control(provider, 'POST', '/faults', fault),
  /** The rooms the provider holds now (Daily's rooms, Whereby's meetings): none deleted. */
  rooms: (provider: Provider) =>
    control(provider, 'GET', provider === 'daily' ? '/daily/rooms' : '/whereby/meetings') as Promise<
      Record<string, any>[]
    >,
  /** Ends every pending fault (an outage's end): the stand-in answers for real again. */
  clearFaults: (provider: Provider) => control(provider, 'DELETE', '/faults'),
  setDailyPresence: (
    room: string,
    participants: { id: string; userId?: string; userName?: string; joinTime?: string }[],
  ) => control('daily', 'PUT', `/daily/presence/${room}`, participants),
  setDailyRecordings: (room: string, recordings: Record<string, unknown>[]) =>
    control('daily', 'PUT', `/daily/recordings/${room}`, recordings),
  setWherebySessions: (roomName: string, sessions: unknown[]) =>
    control('whereby', 'PUT', '/whereby/sessions', { roomName, sessions }),
  /** The size of the file behind a Daily recording's download link (else 40 MiB + 123 bytes). */
  setDailyFile: (recordingId: string, size: number) =>
    control('daily', 'PUT', `/daily/files/${encodeURIComponent(recordingId)}`, { size }),
  dailyFileSha256: (recordingId: string) =>
    control('daily', 'GET', `/daily/files/${encodeURIComponent(recordingId)}/sha256`) as Promise<{
      sha256: string;
      size: number;
    }>,
};

/** The fault proxy in front of the S3 server (the Worker's RECORDING_S3_ENDPOINT). */
export const s3Proxy = {
  reset: () => control('s3', 'POST', '/reset'),
  requests: () => control('s3', 'GET', '/requests') as Promise<LoggedRequest[]>,
  /** E.g. `{method: 'PUT', path: 'partNumber=', status: 503, times: 2}`: the next two part uploads fail. */
  fault: (fault: Fault) => control('s3', 'POST', '/faults', fault),
};

/** The bucket itself, past the fault proxy: as Daily (writing through its role) and the pipeline see it. */
export const directBucket = () =>
  s3Bucket({
    endpoint: servers.s3.endpoint,
    bucket: servers.s3.bucket,
    region: 'us-east-1',
    accessKeyId: servers.s3.accessKeyId,
    secretAccessKey: servers.s3.secretAccessKey,
  });

/** An object's path in the bucket, encoded as the S3 client encodes it. */
export const objectPath = (key: string) =>
  `/${servers.s3.bucket}/${key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/')}`;

/** The bytes of an object, read from the S3 server directly (s3rver serves unsigned reads); throws when there is none. */
export async function objectBytes(key: string): Promise<Uint8Array> {
  const response = await fetch(`${servers.s3.endpoint}${objectPath(key)}`);
  if (response.status !== 200) throw new Error(`no object ${key}: HTTP ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Both circuit breakers closed and forgetting every call, as on a fresh deploy. */
export const resetBreakers = () =>
  Promise.all(
    PLATFORMS.map((platform) =>
      runInDurableObject(breakerObject(env.BREAKERS, platform), (_breaker, state) => state.storage.deleteAll()),
    ),
  );

export async function resetWorld() {
  await Promise.all([standIn.reset('daily'), standIn.reset('whereby'), resetBreakers()]);
  await Promise.all(FLAG_KEYS.map((key) => env.FLAGS.delete(key)));
  await env.DB.batch(
    [
      'call_reports',
      'meeting_ratings',
      'rollout_verdicts',
      'rollout_plans',
      'flag_changes',
      'meeting_consent',
      'webhook_events',
      'participant_sessions',
      'recordings',
      'meeting_corrections',
      'metric_counts',
      'meetings',
      'meeting_claims',
      'meeting_claim_failures',
      'room_webhook_deliveries',
      'rooms',
    ].map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
  );
  forgetCachedFlags();
  forgetFoundMeetings();
}

export const OWNER = 'owner-1';
export const STRANGER = 'stranger-1';
export const ADMIN = 'admin-1';

export async function createRoom(owner: string, room: Record<string, unknown>) {
  const response = await call('POST', '/v1/rooms', { token: await tokenFor(owner), body: room });
  if (response.status !== 201) throw new Error(`room not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as Record<string, any>;
}

/** Writes rollout flags to KV as an operator would in the dashboard, and drops the isolate's copy. */
export async function setFlags(flags: Partial<Record<FlagKey, string>>) {
  await Promise.all(Object.entries(flags).map(([key, value]) => env.FLAGS.put(key, value)));
  forgetCachedFlags();
  forgetFoundMeetings();
}

/** Delivers one copy message to the Worker's queue handler, as attempt `attempts`. */
export async function deliverCopy(recordingId: string, attempts = 1, overrides: Record<string, string> = {}) {
  const dlq: unknown[] = [];
  const batch = createMessageBatch<RecordingCopyMessage>('recording-copies', [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: { kind: 'copy-daily-recording', recordingId } },
  ]);
  const ctx = createExecutionContext();
  const local = {
    ...env,
    RECORDING_COPIES_DLQ: { send: async (body: unknown) => void dlq.push(body) } as unknown as Queue,
    ...overrides,
  };
  const handler: ExportedHandler<Env, RecordingCopyMessage> = worker;
  await handler.queue?.(batch, local, ctx);
  const result = await getQueueResult(batch, ctx);
  return { result, dlq };
}
