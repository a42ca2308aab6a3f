// `npm run test:proof`: the proof suite of issue 6, against the running local product (one
// `wrangler dev` started as `npm start` starts it, on a free port with fresh state of its own
// under .wrangler/proof, .dev.vars left unread, and a real identity provider: a JWKS served here).
//
// 1. Hostile input: over 500 malformed, tampered, replayed, oversized or unauthorised requests
//    across every operation of GET /v1/openapi.json. None may answer 5xx; each must answer the
//    status the routes give for it, as JSON with a `detail` (or the documented 200 of a replay or
//    of Daily's ping); and nothing may change: every table of the local D1, the bucket's files,
//    the rollout flags and the providers (no call made to either stand-in) are compared before
//    and after.
// 2. A burst of correctly signed webhooks of both providers (fresh event ids, joins and leaves)
//    on 20 concurrent connections for 30 s: every event answered 2xx must be in webhook_events
//    exactly once, and each meeting's num_clients must be what the events sent make it.
//
// Exits non-zero, saying what broke, on any violation. PROOF_BURST_SECONDS and
// PROOF_BURST_CONNECTIONS change the burst (30 s at 20).

import { AwsClient } from 'aws4fetch';
import { execFile } from 'node:child_process';
import { createHash, createHmac, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importJWK, SignJWT, type JWK } from 'jose';
import { startIdentityProvider, type IdentityProvider } from '../test/identity-provider.ts';
import { ROOT, SETTING_NAMES, startLocalService, type LocalService, freePort, positiveInteger } from './start.ts';

type Json = Record<string, any>;
type Headers = Record<string, string>;

const OWNER = 'proof-owner';
const STRANGER = 'proof-stranger';
const ADMIN = 'proof-admin';

const DIR = join(ROOT, '.wrangler', 'proof');
const PERSIST_TO = join(DIR, 'state');
const S3_DIRECTORY = join(DIR, 's3');
const WRANGLER_LOG = join(DIR, 'wrangler.log');

const ATTACK_CONCURRENCY = 4;
const BURST_SECONDS = positiveInteger('PROOF_BURST_SECONDS', 30);
const BURST_CONNECTIONS = positiveInteger('PROOF_BURST_CONNECTIONS', 20);
const MIN_ATTACKS = 500;

/** What broke; printed at the end, and the exit code is 1 when there is any. */
const violations: string[] = [];
const violation = (text: string) => violations.push(text);

const seconds = () => Math.floor(Date.now() / 1000);
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// The service's own settings: everything local, nothing from the developer's environment.

interface Secrets {
  daily: string;
  whereby: string;
  pipeline: string;
}

function configureEnvironment(identity: IdentityProvider): Secrets {
  // A developer's shell may export real settings; this service gets none of them.
  for (const name of SETTING_NAMES) delete process.env[name];
  const secrets = {
    daily: randomBytes(32).toString('base64'),
    whereby: randomBytes(24).toString('hex'),
    pipeline: randomBytes(24).toString('base64url'),
  };
  Object.assign(process.env, {
    AUTH_JWKS_URL: identity.jwksUrl,
    AUTH_ISSUER: identity.issuer,
    AUTH_AUDIENCE: identity.audience,
    ADMIN_USER_IDS: ADMIN,
    DAILY_WEBHOOK_SECRET: secrets.daily,
    WHEREBY_WEBHOOK_SECRET: secrets.whereby,
    PIPELINE_TOKEN: secrets.pipeline,
  });
  return secrets;
}

// ---------------------------------------------------------------------------------------------
// Tokens: real ones signed with the identity provider's keys, and every way of faking one.

const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

interface Tokens {
  owner: string;
  stranger: string;
  admin: string;
  /** Ways of presenting credentials that must not sign anyone in (name → headers). */
  bad: { name: string; headers: Headers; anonymous: boolean }[];
}

async function makeTokens(identity: IdentityProvider): Promise<Tokens> {
  const { rsa, ec, unknown } = identity.keys;
  const sign = async (
    key: typeof rsa,
    claims: { sub?: string; iss?: string; aud?: string; exp?: number | null; nbf?: number },
    header: { kid?: string } = {},
  ) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: header.kid ?? key.kid }).setIssuedAt();
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    jwt.setIssuer(claims.iss ?? identity.issuer).setAudience(claims.aud ?? identity.audience);
    if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? seconds() + 3600);
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
    return jwt.sign(await importJWK(key.privateJwk, key.alg));
  };
  const owner = await sign(rsa, { sub: OWNER });
  const admin = await sign(rsa, { sub: ADMIN });
  const stranger = await sign(ec, { sub: STRANGER });

  const [header, , signature] = owner.split('.');
  const tampered = `${header}.${base64url({ sub: ADMIN, iss: identity.issuer, aud: identity.audience, exp: seconds() + 3600 })}.${signature}`;
  const claims = { sub: ADMIN, iss: identity.issuer, aud: identity.audience, exp: seconds() + 3600 };
  const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
  // The classic confusion: HS256 "signed" with the RSA public key as the shared secret.
  const publicPem = createPublicKey({ key: rsa.privateJwk as JWK & { kty: string }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })}.${base64url(claims)}`;
  const hs256 = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const presented = async (name: string, token: Promise<string> | string) => ({ name, headers: bearer(await token), anonymous: false });
  const bad: Tokens['bad'] = [
    { name: 'no credentials', headers: {}, anonymous: true },
    { name: 'empty bearer', headers: { authorization: 'Bearer ' }, anonymous: true },
    { name: 'basic auth', headers: { authorization: `Basic ${Buffer.from(`${ADMIN}:password`).toString('base64')}` }, anonymous: true },
    await presented('garbage token', 'not-a-jwt'),
    await presented('three garbage segments', 'aaaa.bbbb.cccc'),
    await presented('6 KB of garbage', 'x'.repeat(6000)),
    await presented('key the identity provider does not have', sign(unknown, { sub: ADMIN })),
    await presented('known key id, wrong key', sign(unknown, { sub: ADMIN }, { kid: rsa.kid })),
    await presented('expired', sign(rsa, { sub: ADMIN, exp: seconds() - 120 })),
    await presented('not yet valid', sign(rsa, { sub: ADMIN, nbf: seconds() + 3600 })),
    await presented('wrong issuer', sign(rsa, { sub: ADMIN, iss: 'https://evil.example/' })),
    await presented('wrong audience', sign(rsa, { sub: ADMIN, aud: 'another-service' })),
    await presented('no sub', sign(rsa, {})),
    await presented('no exp', sign(rsa, { sub: ADMIN, exp: null })),
    await presented('alg none', none),
    await presented('HS256 keyed with the public key', hs256),
    await presented('payload swapped under a real signature', tampered),
    { name: 'garbage Cf-Access-Jwt-Assertion', headers: { 'cf-access-jwt-assertion': 'garbage' }, anonymous: false },
    { name: 'forged CF_Authorization cookie', headers: { cookie: `CF_Authorization=${await sign(unknown, { sub: ADMIN })}` }, anonymous: false },
  ];
  return { owner, stranger, admin, bad };
}

// ---------------------------------------------------------------------------------------------
// Webhook signatures, computed here with node:crypto as the providers compute them.

function dailyHeaders(body: string | Buffer, secret: string, timestamp: number | string = seconds()): Headers {
  const signature = createHmac('sha256', Buffer.from(secret, 'base64')).update(`${timestamp}.`).update(body).digest('base64');
  return { 'content-type': 'application/json', 'x-webhook-signature': signature, 'x-webhook-timestamp': String(timestamp) };
}

function wherebyHeaders(body: string | Buffer, secret: string, timestamp: number | string = seconds()): Headers {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'content-type': 'application/json', 'whereby-signature': `t=${timestamp},v1=${signature}` };
}

const dailyEvent = (type: string, payload: unknown, id: string = randomUUID()) => ({ version: '1.0.0', type, id, payload, event_ts: seconds() });
const wherebyEvent = (type: string, data: unknown, id: string = randomUUID()) => ({ id, apiVersion: '1.0', createdAt: new Date().toISOString(), type, data });

const dailyPerson = (room: string, sessionId: string) => ({
  room,
  session_id: sessionId,
  user_id: null,
  user_name: `Guest ${sessionId}`,
  joined_at: seconds() - 5,
  owner: false,
  will_eject_at: 0,
  permissions: { hasPresence: true, canSend: true },
});

const wherebyClient = (meetingId: string, roomName: string, participantId: string) => ({
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

async function send(url: string, init: RequestInit & { headers?: Headers }): Promise<Answer> {
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
async function must(base: string, method: string, path: string, options: { token?: string; body?: unknown; expect?: number } = {}): Promise<Json> {
  const headers: Headers = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const answer = await send(`${base}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  if (answer.status !== (options.expect ?? 200)) throw new Error(`fixture ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.body ?? {};
}

// ---------------------------------------------------------------------------------------------
// Fixtures: rooms on both platforms, an active meeting each, applied webhooks, stored recordings.

interface Fixture {
  rooms: Record<string, Json>;
  meetings: Record<string, Json>;
  /** Whereby's own meeting ids (what its webhooks name), by our room name. */
  wherebyIds: Record<string, string>;
  recordings: Json[];
  /** Webhook requests applied during set-up, kept to replay. */
  applied: { provider: 'daily' | 'whereby'; body: string; headers: Headers; sentAt: number }[];
}

const ROOMS = {
  whereby: 'proof-whereby',
  daily: 'proof-daily',
  other: 'proof-other',
  idle: 'proof-idle',
  burstWhereby: 'proof-burst-whereby',
  burstDaily: 'proof-burst-daily',
} as const;

async function prepare(service: LocalService, tokens: Tokens, secrets: Secrets): Promise<Fixture> {
  const base = service.url;
  await must(base, 'PUT', '/v1/flags', {
    token: tokens.admin,
    body: { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [ROOMS.daily, ROOMS.burstDaily], DAILY_MIGRATION_PERCENT: 0 },
  });
  const rooms: Record<string, Json> = {};
  for (const name of Object.values(ROOMS)) rooms[name] = await must(base, 'POST', '/v1/rooms', { token: tokens.owner, body: { name }, expect: 201 });

  const meetings: Record<string, Json> = {};
  for (const name of [ROOMS.whereby, ROOMS.daily, ROOMS.burstWhereby, ROOMS.burstDaily]) {
    meetings[name] = await must(base, 'POST', `/v1/rooms/${name}/meeting`);
    const wanted = name === ROOMS.daily || name === ROOMS.burstDaily ? 'daily' : 'whereby';
    if (meetings[name]?.platform !== wanted) throw new Error(`fixture: ${name} is on ${meetings[name]?.platform}, not ${wanted}`);
  }
  const atWhereby = (await (await fetch(`${service.standIns.whereby.origin}/__control/whereby/meetings`)).json()) as Json[];
  const wherebyIds: Record<string, string> = {};
  for (const name of [ROOMS.whereby, ROOMS.burstWhereby]) {
    const found = atWhereby.find((meeting) => meeting.roomUrl === meetings[name]?.room_url);
    if (!found) throw new Error(`fixture: Whereby has no meeting for ${name}`);
    wherebyIds[name] = String(found.meetingId);
  }

  const applied: Fixture['applied'] = [];
  const webhook = async (provider: 'daily' | 'whereby', event: unknown) => {
    const body = JSON.stringify(event);
    const headers = provider === 'daily' ? dailyHeaders(body, secrets.daily) : wherebyHeaders(body, secrets.whereby);
    const answer = await send(`${base}${provider === 'daily' ? '/v1/daily/webhook' : '/v1/whereby'}`, { method: 'POST', headers, body });
    if (answer.status !== 200 || answer.body?.status !== 'applied') throw new Error(`fixture webhook answered ${answer.status}: ${answer.text}`);
    applied.push({ provider, body, headers, sentAt: Date.now() });
  };
  const daily = meetings[ROOMS.daily]!;
  const whereby = meetings[ROOMS.whereby]!;
  const wherebyId = wherebyIds[ROOMS.whereby]!;
  await webhook('daily', dailyEvent('participant.joined', dailyPerson(daily.room_name, 'fixture-ann')));
  await webhook('daily', dailyEvent('participant.joined', dailyPerson(daily.room_name, 'fixture-ben')));
  await webhook('daily', dailyEvent('participant.left', { ...dailyPerson(daily.room_name, 'fixture-ben'), duration: 3 }));
  await webhook('whereby', wherebyEvent('room.client.joined', wherebyClient(wherebyId, whereby.room_name, 'fixture-cat')));

  // A Daily recording, copied into the bucket by the local queue consumer.
  await fetch(`${service.standIns.daily.origin}/__control/daily/files/proof-rec-1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 1024 * 1024 + 11 }),
  });
  const start = seconds() - 300;
  await webhook(
    'daily',
    dailyEvent('recording.ready-to-download', {
      type: 'cloud',
      recording_id: 'proof-rec-1',
      room_name: daily.room_name,
      start_ts: start,
      status: 'finished',
      duration: 240,
      s3_key: `daily/${daily.room_name}/1`,
    }),
  );
  // A Whereby recording, which Whereby writes straight into the bucket.
  const key = `${whereby.room_name}-${new Date(start * 1000).toISOString().replace('.000Z', 'Z')}.mp4`;
  const s3 = new AwsClient({ accessKeyId: service.bucket.accessKeyId, secretAccessKey: service.bucket.secretAccessKey, service: 's3', region: 'us-east-1' });
  const put = await s3.fetch(`${service.bucket.endpoint}/${service.bucket.bucket}/${key}`, { method: 'PUT', body: randomBytes(64 * 1024) });
  if (!put.ok) throw new Error(`fixture: the bucket refused the Whereby object: ${put.status}`);
  await webhook(
    'whereby',
    wherebyEvent('recording.finished', { meetingId: wherebyId, roomName: `/${whereby.room_name}`, recordingId: 'proof-whereby-rec', filename: key, status: 'completed' }),
  );
  await must(base, 'POST', `/v1/meetings/${whereby.id}/consent`, { body: { consent_given: true } });

  // Wait for the copy: the recording is stored and downloadable.
  const deadline = Date.now() + 60_000;
  let listed: Json[] = [];
  while (Date.now() < deadline) {
    listed = (await must(base, 'GET', `/v1/meetings/${daily.id}/recordings`, { token: tokens.owner })).items as Json[];
    if (listed[0]?.status === 'stored') break;
    await sleep(500);
  }
  if (listed[0]?.status !== 'stored') throw new Error(`fixture: the Daily recording was not stored within 60 s (${JSON.stringify(listed)})`);
  const download = await fetch(listed[0].download_url);
  if (download.status !== 200 || (await download.arrayBuffer()).byteLength !== 1024 * 1024 + 11) throw new Error('fixture: the stored recording does not download whole');
  const wherebyListed = (await must(base, 'GET', `/v1/meetings/${whereby.id}/recordings`, { token: tokens.owner })).items as Json[];
  return { rooms, meetings, wherebyIds, recordings: [...listed, ...wherebyListed], applied };
}

// ---------------------------------------------------------------------------------------------
// What must not change: D1 (every table but the rollout's counters), the bucket's files, the
// flags, the providers. The counters of refused and repeated webhooks are meant to move: by
// exactly the deliveries answered so.

const require = createRequire(import.meta.url);
const WRANGLER = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');

function d1(command: string): Promise<{ results: Json[] }[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER, 'd1', 'execute', 'DB', '--local', '--persist-to', PERSIST_TO, '--json', '--command', command],
      { cwd: ROOT, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`wrangler d1 execute failed: ${stderr || error.message}`));
        try {
          resolve(JSON.parse(stdout) as { results: Json[] }[]);
        } catch {
          reject(new Error(`wrangler d1 execute printed no JSON: ${stdout.slice(0, 300)}`));
        }
      },
    );
  });
}

type DbSnapshot = Map<string, string[]>;

const COUNTERS_TABLE = 'metric_counts';
type Counters = Map<string, number>;

/** The rollout's counters, summed over time: "daily webhooks_rejected" → n. */
async function counters(): Promise<Counters> {
  const [result] = await d1(`SELECT platform || ' ' || name AS counter, sum(count) AS n FROM ${COUNTERS_TABLE} GROUP BY platform, name`);
  return new Map((result?.results ?? []).map((row) => [String(row.counter), Number(row.n)]));
}

const RECEIVERS: Record<string, 'daily' | 'whereby'> = { '/v1/daily/webhook': 'daily', '/v1/whereby': 'whereby' };

/** What the counters must have gained from these answers: each refused delivery, each repeat. */
function expectedCounts(outcomes: Outcome[]): Counters {
  const expected: Counters = new Map();
  const add = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1);
  for (const { attack, status, body } of outcomes) {
    const platform = RECEIVERS[new URL(attack.path, 'http://proof').pathname];
    if (attack.method !== 'POST' || !platform || status === null) continue;
    if (status >= 300) add(`${platform} webhooks_rejected`);
    else if (body?.status === 'duplicate') add(`${platform} webhooks_duplicate`);
  }
  return expected;
}

async function snapshotDb(): Promise<DbSnapshot> {
  const [tables] = await d1(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != '${COUNTERS_TABLE}' ORDER BY name`,
  );
  const names = (tables?.results ?? []).map((row) => String(row.name));
  if (names.length === 0) throw new Error('the local D1 has no tables');
  const results = await d1(names.map((name) => `SELECT * FROM "${name}"`).join('; '));
  return new Map(names.map((name, i) => [name, (results[i]?.results ?? []).map((row) => JSON.stringify(row)).sort()]));
}

/** Rows only before (gone or changed) and only after (new or changed), per table. */
function compareDb(before: DbSnapshot, after: DbSnapshot) {
  const changes: { table: string; gone: string[]; added: string[] }[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const left = before.get(table) ?? [];
    const right = after.get(table) ?? [];
    const counts = new Map<string, number>();
    for (const row of left) counts.set(row, (counts.get(row) ?? 0) + 1);
    const added: string[] = [];
    for (const row of right) {
      const n = counts.get(row) ?? 0;
      if (n > 0) counts.set(row, n - 1);
      else added.push(row);
    }
    const gone = [...counts.entries()].flatMap(([row, n]) => Array<string>(n).fill(row));
    if (gone.length || added.length) changes.push({ table, gone, added });
  }
  return changes;
}

/** Every file s3rver keeps for the bucket (objects and their metadata), by path: size and hash. */
function snapshotBucket(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(S3_DIRECTORY, path), `${statSync(path).size}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(S3_DIRECTORY);
  return files;
}

const objectCount = (files: Map<string, string>) => [...files.keys()].filter((path) => path.endsWith('._S3rver_object')).length;

async function providerCalls(service: LocalService): Promise<number> {
  const counts = await Promise.all(
    [service.standIns.daily.origin, service.standIns.whereby.origin].map(async (origin) => ((await (await fetch(`${origin}/__control/requests`)).json()) as unknown[]).length),
  );
  return counts[0]! + counts[1]!;
}

// ---------------------------------------------------------------------------------------------
// The hostile requests.

type Kind =
  | 'malformed JSON'
  | 'wrong types'
  | 'unknown fields'
  | 'invalid room names'
  | 'over-long names'
  | 'bad query'
  | 'wrong content type'
  | 'missing/forged/expired/garbage credentials'
  | 'not allowed (non-owner, non-admin)'
  | 'unknown ids and paths'
  | 'wrong method'
  | 'conflict'
  | 'webhook: bad or missing signature'
  | 'webhook: stale or future timestamp'
  | 'webhook: wrong secret'
  | 'webhook: tampered body'
  | 'webhook: authentic but malformed'
  | 'webhook: replay of an applied event'
  | 'webhook: Daily ping'
  | 'oversized body'
  | 'wrong pipeline token';

interface Attack {
  kind: Kind;
  /** The OpenAPI operation it aims at, `METHOD /v1/path/{param}`; null for paths outside the API. */
  operation: string | null;
  what: string;
  method: string;
  path: string;
  headers?: Headers;
  body?: string | Buffer | (() => ReadableStream<Uint8Array>);
  /** The statuses the routes give for this input. */
  expect: number[];
  /** For a documented 200: what its body must be. */
  expectBody?: Json;
}

interface Outcome {
  attack: Attack;
  status: number | null;
  body: Json | null;
  text: string;
  requestId: string | null;
  error?: string;
}

const json = (token?: string, extra: Headers = {}): Headers => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...extra,
});
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const J = (value: unknown) => JSON.stringify(value);

/** Names that break the rule of SPEC §4 (or are a page's name). */
const INVALID_NAMES = [
  '', '-room', 'room-', 'Room', 'ROOM', 'my room', 'my_room', 'my.room', 'my/room', 'räume', 'room😀', 'a\u0000b', ' room', 'room ',
  'rooms', 'admin', 'v1', 'assets', 'api', 'static', 'login', 'logout', 'left', '..', '<script>alert(1)</script>', "x'; DROP TABLE rooms;--",
];
const LONG_NAMES = ['a'.repeat(65), `${'ab-'.repeat(21)}ab`, 'a'.repeat(1000), 'a'.repeat(100_000)];
const MALFORMED_JSON = ['{', '{"name":', 'not json', "{'name':'x'}", '{"name":"x",}', '{"name":"x"} trailing', '[1,2', '{"name":"a"}{"name":"b"}', '\u0000', ''];
const NOT_OBJECTS = ['null', '[]', '123', '"room"', 'true'];

function attacks(fixture: Fixture, tokens: Tokens, secrets: Secrets): Attack[] {
  const list: Attack[] = [];
  const add = (attack: Attack) => list.push(attack);
  const room = fixture.rooms[ROOMS.whereby]!;
  const other = fixture.rooms[ROOMS.other]!;
  const meeting = fixture.meetings[ROOMS.whereby]!;
  const dailyMeeting = fixture.meetings[ROOMS.daily]!;
  const recording = fixture.recordings[0]!;
  const validRoom = J({ name: 'proof-never-created' });
  const validFlags = J({ DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: ['proof-whereby'], DAILY_MIGRATION_PERCENT: 100 });

  // --- Credentials, at every operation that needs a user (a valid body, so the credentials decide).
  const needsUser: { operation: string; method: string; path: string; body?: string; anonymousOk?: boolean }[] = [
    { operation: 'GET /v1/rooms', method: 'GET', path: '/v1/rooms' },
    { operation: 'POST /v1/rooms', method: 'POST', path: '/v1/rooms', body: validRoom },
    { operation: 'GET /v1/rooms/{room_id}', method: 'GET', path: `/v1/rooms/${room.id}` },
    { operation: 'PATCH /v1/rooms/{room_id}', method: 'PATCH', path: `/v1/rooms/${room.id}`, body: J({ is_locked: true, platform: 'daily' }) },
    { operation: 'DELETE /v1/rooms/{room_id}', method: 'DELETE', path: `/v1/rooms/${room.id}` },
    { operation: 'GET /v1/meetings/{meeting_id}/recordings', method: 'GET', path: `/v1/meetings/${dailyMeeting.id}/recordings` },
    { operation: 'GET /v1/flags', method: 'GET', path: '/v1/flags' },
    { operation: 'PUT /v1/flags', method: 'PUT', path: '/v1/flags', body: validFlags },
    // Anyone may join or answer consent; a presented token that is not valid is still refused.
    { operation: 'POST /v1/rooms/{room_name}/meeting', method: 'POST', path: `/v1/rooms/${ROOMS.whereby}/meeting`, anonymousOk: true },
    { operation: 'POST /v1/rooms/{room_name}/meeting', method: 'POST', path: `/v1/rooms/${ROOMS.daily}/meeting`, anonymousOk: true },
    { operation: 'POST /v1/meetings/{meeting_id}/consent', method: 'POST', path: `/v1/meetings/${meeting.id}/consent`, body: J({ consent_given: false }), anonymousOk: true },
  ];
  for (const target of needsUser) {
    for (const credential of tokens.bad) {
      if (target.anonymousOk && credential.anonymous) continue;
      add({
        kind: 'missing/forged/expired/garbage credentials',
        operation: target.operation,
        what: `${credential.name}`,
        method: target.method,
        path: target.path,
        headers: { ...(target.body ? { 'content-type': 'application/json' } : {}), ...credential.headers },
        body: target.body,
        expect: [401],
      });
    }
  }
  // A room with no meeting yet: a refused token must not leave a meeting behind either.
  add({
    kind: 'missing/forged/expired/garbage credentials',
    operation: 'POST /v1/rooms/{room_name}/meeting',
    what: 'garbage token joining a room with no meeting yet',
    method: 'POST',
    path: `/v1/rooms/${ROOMS.idle}/meeting`,
    headers: bearer('not-a-jwt'),
    expect: [401],
  });

  // --- Signed in, but not allowed.
  const notAllowed: [string, string, string, string, string?][] = [
    ['GET /v1/flags', 'GET', '/v1/flags', tokens.owner],
    ['GET /v1/flags', 'GET', '/v1/flags', tokens.stranger],
    ['PUT /v1/flags', 'PUT', '/v1/flags', tokens.owner, validFlags],
    ['PUT /v1/flags', 'PUT', '/v1/flags', tokens.stranger, validFlags],
    ['GET /v1/rooms/{room_id}', 'GET', `/v1/rooms/${room.id}`, tokens.stranger],
    ['GET /v1/rooms/{room_id}', 'GET', `/v1/rooms/${other.id}`, tokens.stranger],
    ['PATCH /v1/rooms/{room_id}', 'PATCH', `/v1/rooms/${room.id}`, tokens.stranger, J({ is_shared: true })],
    ['PATCH /v1/rooms/{room_id}', 'PATCH', `/v1/rooms/${room.id}`, tokens.stranger, J({ name: 'proof-stolen' })],
    ['DELETE /v1/rooms/{room_id}', 'DELETE', `/v1/rooms/${room.id}`, tokens.stranger],
    ['DELETE /v1/rooms/{room_id}', 'DELETE', `/v1/rooms/${fixture.rooms[ROOMS.daily]!.id}`, tokens.stranger],
    ['GET /v1/meetings/{meeting_id}/recordings', 'GET', `/v1/meetings/${meeting.id}/recordings`, tokens.stranger],
    ['GET /v1/meetings/{meeting_id}/recordings', 'GET', `/v1/meetings/${dailyMeeting.id}/recordings`, tokens.stranger],
  ];
  for (const [operation, method, path, token, body] of notAllowed) {
    add({ kind: 'not allowed (non-owner, non-admin)', operation, what: `${method} ${path} as a user without the right`, method, path, headers: body ? json(token) : bearer(token), body, expect: [403] });
  }

  // --- Bodies of POST /v1/rooms, PATCH /v1/rooms/{id}, consent and flags.
  const bodyTargets = [
    { operation: 'POST /v1/rooms', method: 'POST', path: '/v1/rooms', token: tokens.owner },
    { operation: 'PATCH /v1/rooms/{room_id}', method: 'PATCH', path: `/v1/rooms/${room.id}`, token: tokens.owner },
    { operation: 'POST /v1/meetings/{meeting_id}/consent', method: 'POST', path: `/v1/meetings/${meeting.id}/consent`, token: undefined },
    { operation: 'PUT /v1/flags', method: 'PUT', path: '/v1/flags', token: tokens.admin },
  ];
  for (const target of bodyTargets) {
    for (const text of MALFORMED_JSON) {
      add({ kind: 'malformed JSON', operation: target.operation, what: `body ${J(text.slice(0, 20))}`, method: target.method, path: target.path, headers: json(target.token), body: text, expect: [400] });
    }
    for (const text of NOT_OBJECTS) {
      add({ kind: 'wrong types', operation: target.operation, what: `body ${text} (not an object)`, method: target.method, path: target.path, headers: json(target.token), body: text, expect: [422] });
    }
    const wrongType = (value: string) => ({ 'text/plain': value, 'application/x-www-form-urlencoded': 'name=proof-form', 'multipart/form-data; boundary=x': `--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nproof-form\r\n--x--\r\n` });
    for (const [type, text] of Object.entries(wrongType(validRoom))) {
      add({
        kind: 'wrong content type',
        operation: target.operation,
        what: `content-type ${type}`,
        method: target.method,
        path: target.path,
        headers: { 'content-type': type, ...(target.token ? bearer(target.token) : {}) },
        body: text,
        expect: [415],
      });
    }
    add({
      kind: 'wrong content type',
      operation: target.operation,
      what: 'a body without a content type',
      method: target.method,
      path: target.path,
      headers: target.token ? bearer(target.token) : {},
      body: target.path === '/v1/flags' ? validFlags : validRoom,
      expect: [415],
    });
  }

  // POST /v1/rooms: each field of the wrong type, unknown fields, names against the rule, a taken name.
  const roomFields: [string, unknown][] = [
    ['name', 123], ['name', null], ['name', ['proof-a']], ['name', { value: 'proof-a' }], ['name', true],
    ['is_locked', 'yes'], ['is_locked', 1], ['is_locked', null], ['room_mode', 'party'], ['room_mode', null], ['room_mode', 1],
    ['recording_type', 'tape'], ['recording_type', 2], ['recording_trigger', 'sometimes'], ['recording_trigger', ['automatic']],
    ['is_shared', 'true'], ['skip_consent', 0], ['platform', 'zoom'], ['platform', 'DAILY'], ['platform', null], ['raw_tracks', 'no'],
  ];
  for (const [field, value] of roomFields) {
    const body = field === 'name' ? { [field]: value } : { name: 'proof-typed', [field]: value };
    add({ kind: 'wrong types', operation: 'POST /v1/rooms', what: `${field}: ${J(value)}`, method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J(body), expect: [422] });
    if (field !== 'name') {
      add({ kind: 'wrong types', operation: 'PATCH /v1/rooms/{room_id}', what: `${field}: ${J(value)}`, method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: J({ [field]: value }), expect: [422] });
    }
  }
  add({ kind: 'wrong types', operation: 'POST /v1/rooms', what: 'no name', method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J({ is_locked: true }), expect: [422] });
  add({ kind: 'wrong types', operation: 'POST /v1/rooms', what: 'empty object', method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: '{}', expect: [422] });
  add({ kind: 'wrong types', operation: 'POST /v1/rooms', what: 'no body at all', method: 'POST', path: '/v1/rooms', headers: bearer(tokens.owner), expect: [422] });
  add({ kind: 'wrong types', operation: 'PATCH /v1/rooms/{room_id}', what: 'nothing to change', method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: '{}', expect: [422] });

  const unknownFields: Json[] = [
    { foo: 1 }, { id: 'proof-chosen-id' }, { user_id: ADMIN }, { created_at: '2000-01-01T00:00:00Z' }, { num_clients: 5 }, { PLATFORM: 'daily' }, { is_admin: true },
  ];
  for (const extra of unknownFields) {
    add({ kind: 'unknown fields', operation: 'POST /v1/rooms', what: J(extra), method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J({ name: 'proof-extra', ...extra }), expect: [422] });
    add({ kind: 'unknown fields', operation: 'PATCH /v1/rooms/{room_id}', what: J(extra), method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: J({ is_locked: false, ...extra }), expect: [422] });
  }
  for (const raw of ['{"name":"proof-proto","__proto__":{"is_admin":true}}', '{"name":"proof-ctor","constructor":{"prototype":{"x":1}}}']) {
    add({ kind: 'unknown fields', operation: 'POST /v1/rooms', what: raw, method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: raw, expect: [422] });
  }

  for (const name of INVALID_NAMES) {
    add({ kind: 'invalid room names', operation: 'POST /v1/rooms', what: J(name), method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J({ name }), expect: [422] });
    add({ kind: 'invalid room names', operation: 'PATCH /v1/rooms/{room_id}', what: J(name), method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: J({ name }), expect: [422] });
  }
  for (const name of LONG_NAMES) {
    add({ kind: 'over-long names', operation: 'POST /v1/rooms', what: `${name.length} characters`, method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J({ name }), expect: [422] });
    add({ kind: 'over-long names', operation: 'PATCH /v1/rooms/{room_id}', what: `${name.length} characters`, method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: J({ name }), expect: [422] });
  }
  add({ kind: 'oversized body', operation: 'POST /v1/rooms', what: 'a 2 MB name', method: 'POST', path: '/v1/rooms', headers: json(tokens.owner), body: J({ name: 'a'.repeat(2 * 1024 * 1024) }), expect: [413, 422] });
  add({ kind: 'oversized body', operation: 'PUT /v1/flags', what: '1001 room ids', method: 'PUT', path: '/v1/flags', headers: json(tokens.admin), body: J({ DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: Array.from({ length: 1001 }, (_, i) => `room-${i}`), DAILY_MIGRATION_PERCENT: 0 }), expect: [413, 422] });

  for (const [name, path, token] of [
    [ROOMS.whereby, '/v1/rooms', tokens.owner],
    [ROOMS.daily, '/v1/rooms', tokens.stranger],
  ] as const) {
    add({ kind: 'conflict', operation: 'POST /v1/rooms', what: `the taken name ${name}`, method: 'POST', path, headers: json(token), body: J({ name }), expect: [409] });
  }
  add({ kind: 'conflict', operation: 'PATCH /v1/rooms/{room_id}', what: `renamed to the taken ${ROOMS.other}`, method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.owner), body: J({ name: ROOMS.other }), expect: [409] });
  add({ kind: 'conflict', operation: 'PATCH /v1/rooms/{room_id}', what: `renamed to the taken ${ROOMS.daily}, with a setting`, method: 'PATCH', path: `/v1/rooms/${room.id}`, headers: json(tokens.admin), body: J({ name: ROOMS.daily, is_locked: true }), expect: [409] });

  // Consent bodies.
  for (const value of ['yes', 1, 0, null, [], {}, 'false']) {
    add({ kind: 'wrong types', operation: 'POST /v1/meetings/{meeting_id}/consent', what: `consent_given: ${J(value)}`, method: 'POST', path: `/v1/meetings/${meeting.id}/consent`, headers: json(), body: J({ consent_given: value }), expect: [422] });
  }
  add({ kind: 'wrong types', operation: 'POST /v1/meetings/{meeting_id}/consent', what: 'no answer', method: 'POST', path: `/v1/meetings/${meeting.id}/consent`, headers: json(), body: '{}', expect: [422] });
  for (const extra of [{ user_id: ADMIN }, { meeting_id: 'other' }, { consent_timestamp: '2000-01-01' }]) {
    add({ kind: 'unknown fields', operation: 'POST /v1/meetings/{meeting_id}/consent', what: J(extra), method: 'POST', path: `/v1/meetings/${meeting.id}/consent`, headers: json(), body: J({ consent_given: true, ...extra }), expect: [422] });
  }

  // Flags bodies.
  const flagBodies: [string, Json][] = [
    ['ENABLED as text', { DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ENABLED as 1', { DAILY_MIGRATION_ENABLED: 1, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ENABLED null', { DAILY_MIGRATION_ENABLED: null, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS as text', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: 'a,b', DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS of numbers', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [1, 2], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS with an empty id', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [''], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS with a blank id', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: ['   '], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS null', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: null, DAILY_MIGRATION_PERCENT: 0 }],
    ['PERCENT as text', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: '50' }],
    ['PERCENT 101', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 101 }],
    ['PERCENT -1', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: -1 }],
    ['PERCENT 1e309 (Infinity)', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: '__INF__' }],
    ['ENABLED missing', { DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS missing', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_PERCENT: 0 }],
    ['PERCENT missing', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [] }],
  ];
  for (const [what, body] of flagBodies) {
    add({ kind: 'wrong types', operation: 'PUT /v1/flags', what, method: 'PUT', path: '/v1/flags', headers: json(tokens.admin), body: J(body).replace('"__INF__"', '1e309'), expect: [422] });
  }
  for (const extra of [{ DAILY_MIGRATION_SECRET: 'x' }, { daily_migration_enabled: true }, { malformed: [] }]) {
    add({ kind: 'unknown fields', operation: 'PUT /v1/flags', what: J(extra), method: 'PUT', path: '/v1/flags', headers: json(tokens.admin), body: J({ DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0, ...extra }), expect: [422] });
  }

  // --- Queries of GET /v1/rooms.
  for (const query of ['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=', 'size=0', 'size=101', 'size=-5', 'size=abc', 'size=1e3', 'page=1&page=2', 'size=%00', 'page=Infinity', 'page=NaN']) {
    add({ kind: 'bad query', operation: 'GET /v1/rooms', what: query, method: 'GET', path: `/v1/rooms?${query}`, headers: bearer(tokens.owner), expect: [422] });
    add({ kind: 'bad query', operation: 'GET /v1/rooms', what: `${query} without credentials`, method: 'GET', path: `/v1/rooms?${query}`, expect: [401, 422] });
  }
  // A page number far past the end is a valid, empty page or a refusal; never a failure.
  for (const query of ['page=1000000000000000', 'page=9007199254740993', 'page=1e300', 'page=99999999999999999999&size=100']) {
    add({ kind: 'bad query', operation: 'GET /v1/rooms', what: query, method: 'GET', path: `/v1/rooms?${query}`, headers: bearer(tokens.owner), expect: [200, 422], expectBody: {} });
  }

  // --- Unknown ids and paths.
  const unknownIds = ['nope', randomUUID(), 'x'.repeat(4000), '%00', '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'%3D'1", '%F0%9F%98%80', 'null'];
  for (const id of unknownIds) {
    const shown = id.length > 40 ? `${id.length} characters` : id;
    add({ kind: 'unknown ids and paths', operation: 'GET /v1/rooms/{room_id}', what: shown, method: 'GET', path: `/v1/rooms/${id}`, headers: bearer(tokens.owner), expect: [404] });
    add({ kind: 'unknown ids and paths', operation: 'PATCH /v1/rooms/{room_id}', what: shown, method: 'PATCH', path: `/v1/rooms/${id}`, headers: json(tokens.admin), body: J({ is_locked: true }), expect: [404] });
    add({ kind: 'unknown ids and paths', operation: 'DELETE /v1/rooms/{room_id}', what: shown, method: 'DELETE', path: `/v1/rooms/${id}`, headers: bearer(tokens.admin), expect: [404] });
    add({ kind: 'unknown ids and paths', operation: 'POST /v1/meetings/{meeting_id}/consent', what: shown, method: 'POST', path: `/v1/meetings/${id}/consent`, headers: json(), body: J({ consent_given: false }), expect: [404] });
    add({ kind: 'unknown ids and paths', operation: 'GET /v1/meetings/{meeting_id}/recordings', what: shown, method: 'GET', path: `/v1/meetings/${id}/recordings`, headers: bearer(tokens.admin), expect: [404] });
    add({ kind: 'unknown ids and paths', operation: 'POST /v1/recordings/{recording_id}/processed', what: shown, method: 'POST', path: `/v1/recordings/${id}/processed`, headers: bearer(secrets.pipeline), expect: [404] });
  }
  const unknownRooms = [...INVALID_NAMES.filter((name) => name !== '').map(encodeURIComponent), 'proof-nobody', 'a'.repeat(65), '%E0%A4%A', 'x'.repeat(4000)];
  for (const name of unknownRooms) {
    add({ kind: 'unknown ids and paths', operation: 'POST /v1/rooms/{room_name}/meeting', what: name.length > 40 ? `${name.length} characters` : name, method: 'POST', path: `/v1/rooms/${name}/meeting`, expect: [404] });
  }
  for (const path of ['/v1/nope', '/v1/rooms/a/b/c', '/v1/meetings', '/v1/recordings', `/v1/recordings/${recording.id}`, '/v1/flags/DAILY_MIGRATION_ENABLED', '/v1/daily', '/v1/whereby/extra']) {
    add({ kind: 'unknown ids and paths', operation: null, what: path, method: 'GET', path, headers: bearer(tokens.admin), expect: [404] });
  }

  // --- Methods an operation does not have.
  const wrongMethods: [string, string, string][] = [
    ['GET /v1/health', 'POST', '/v1/health'],
    ['GET /v1/health', 'DELETE', '/v1/health'],
    ['GET /v1/rooms', 'PUT', '/v1/rooms'],
    ['GET /v1/rooms', 'DELETE', '/v1/rooms'],
    ['GET /v1/rooms/{room_id}', 'PUT', `/v1/rooms/${room.id}`],
    ['GET /v1/rooms/{room_id}', 'POST', `/v1/rooms/${room.id}`],
    ['POST /v1/rooms/{room_name}/meeting', 'GET', `/v1/rooms/${ROOMS.whereby}/meeting`],
    ['POST /v1/rooms/{room_name}/meeting', 'DELETE', `/v1/rooms/${ROOMS.whereby}/meeting`],
    ['POST /v1/meetings/{meeting_id}/consent', 'GET', `/v1/meetings/${meeting.id}/consent`],
    ['POST /v1/meetings/{meeting_id}/consent', 'DELETE', `/v1/meetings/${meeting.id}/consent`],
    ['GET /v1/meetings/{meeting_id}/recordings', 'POST', `/v1/meetings/${meeting.id}/recordings`],
    ['GET /v1/meetings/{meeting_id}/recordings', 'DELETE', `/v1/meetings/${meeting.id}/recordings`],
    ['POST /v1/recordings/{recording_id}/processed', 'GET', `/v1/recordings/${recording.id}/processed`],
    ['POST /v1/recordings/{recording_id}/processed', 'DELETE', `/v1/recordings/${recording.id}/processed`],
    ['GET /v1/flags', 'POST', '/v1/flags'],
    ['GET /v1/flags', 'DELETE', '/v1/flags'],
    ['POST /v1/daily/webhook', 'GET', '/v1/daily/webhook'],
    ['POST /v1/daily/webhook', 'PUT', '/v1/daily/webhook'],
    ['POST /v1/whereby', 'GET', '/v1/whereby'],
    ['POST /v1/whereby', 'DELETE', '/v1/whereby'],
  ];
  for (const [operation, method, path] of wrongMethods) {
    add({ kind: 'wrong method', operation, what: `${method} ${path}`, method, path, headers: bearer(tokens.admin), expect: [404, 405] });
  }
  // Health answers anyone; whatever credentials come with the request, it stays a plain 200.
  for (const credential of tokens.bad.slice(3, 7)) {
    add({ kind: 'missing/forged/expired/garbage credentials', operation: 'GET /v1/health', what: credential.name, method: 'GET', path: '/v1/health', headers: credential.headers, expect: [200], expectBody: { status: 'ok' } });
  }

  // --- The pipeline's report.
  const pipelineHeaders: [string, Headers][] = [
    ['no token', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['wrong token', bearer('wrong-token')],
    ['the token with a character more', bearer(`${secrets.pipeline}x`)],
    ['the token less its last character', bearer(secrets.pipeline.slice(0, -1))],
    ['the token upper-cased', bearer(secrets.pipeline.toUpperCase())],
    ['the token as Basic', { authorization: `Basic ${secrets.pipeline}` }],
    ['the token without a scheme', { authorization: secrets.pipeline }],
    ['the token twice', { authorization: `Bearer ${secrets.pipeline} ${secrets.pipeline}` }],
    ['an admin’s JWT', bearer(tokens.admin)],
    ['the Daily webhook secret', bearer(secrets.daily)],
    ['the token in Cf-Access-Jwt-Assertion', { 'cf-access-jwt-assertion': secrets.pipeline }],
  ];
  for (const target of fixture.recordings) {
    for (const [what, headers] of pipelineHeaders) {
      add({ kind: 'wrong pipeline token', operation: 'POST /v1/recordings/{recording_id}/processed', what: `${what} (${target.platform} recording)`, method: 'POST', path: `/v1/recordings/${target.id}/processed`, headers, expect: [401] });
    }
  }

  // --- Webhooks.
  webhookAttacks(fixture, secrets).forEach(add);
  return list;
}

function webhookAttacks(fixture: Fixture, secrets: Secrets): Attack[] {
  const list: Attack[] = [];
  const dailyRoom = fixture.meetings[ROOMS.daily]!.room_name as string;
  const wherebyRoom = fixture.meetings[ROOMS.whereby]!.room_name as string;
  const wherebyId = fixture.wherebyIds[ROOMS.whereby]!;
  const now = seconds();
  const D = { operation: 'POST /v1/daily/webhook', method: 'POST', path: '/v1/daily/webhook' } as const;
  const W = { operation: 'POST /v1/whereby', method: 'POST', path: '/v1/whereby' } as const;

  // Daily: a well-formed event of a new participant, so only the signature stands between it and a change.
  const dailyBody = J(dailyEvent('participant.joined', dailyPerson(dailyRoom, 'intruder')));
  const good = dailyHeaders(dailyBody, secrets.daily);
  const signature: [string, Headers][] = [
    ['no signature headers', { 'content-type': 'application/json' }],
    ['signature without timestamp', { 'content-type': 'application/json', 'x-webhook-signature': good['x-webhook-signature']! }],
    ['timestamp without signature', { 'content-type': 'application/json', 'x-webhook-timestamp': good['x-webhook-timestamp']! }],
    ['garbage signature', { ...good, 'x-webhook-signature': 'abcd' }],
    ['signature not base64', { ...good, 'x-webhook-signature': '!!!not base64!!!' }],
    ['empty signature', { ...good, 'x-webhook-signature': '' }],
    ['signature of another body', dailyHeaders(J(dailyEvent('participant.joined', dailyPerson(dailyRoom, 'someone-else'))), secrets.daily, good['x-webhook-timestamp'])],
    ['signature with its timestamp changed', { ...good, 'x-webhook-timestamp': String(now + 1) }],
    ['hex instead of base64', { ...good, 'x-webhook-signature': Buffer.from(good['x-webhook-signature']!, 'base64').toString('hex') }],
    ['timestamp "now"', { ...dailyHeaders(dailyBody, secrets.daily, 'now') }],
    ['timestamp negative', { ...dailyHeaders(dailyBody, secrets.daily, '-5') }],
    ['timestamp in exponent form', { ...dailyHeaders(dailyBody, secrets.daily, '1.7e9') }],
    ['timestamp empty', { ...good, 'x-webhook-timestamp': '' }],
  ];
  for (const [what, headers] of signature) list.push({ kind: 'webhook: bad or missing signature', ...D, what, headers, body: dailyBody, expect: [401] });
  const stale: [string, number | string][] = [
    ['6 minutes old', now - 360], ['an hour old', now - 3600], ['a year old', now - 365 * 86400], ['zero', 0],
    ['6 minutes ahead', now + 360], ['a day ahead', now + 86400], ['6 minutes old, in ms', (now - 360) * 1000], ['huge', '99999999999999999999'],
  ];
  for (const [what, timestamp] of stale) list.push({ kind: 'webhook: stale or future timestamp', ...D, what, headers: dailyHeaders(dailyBody, secrets.daily, timestamp), body: dailyBody, expect: [401] });
  const otherSecret = randomBytes(32).toString('base64');
  list.push({ kind: 'webhook: wrong secret', ...D, what: 'another secret', headers: dailyHeaders(dailyBody, otherSecret), body: dailyBody, expect: [401] });
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'the secret’s base64 text used as the key',
    headers: { 'content-type': 'application/json', 'x-webhook-timestamp': String(now), 'x-webhook-signature': createHmac('sha256', secrets.daily).update(`${now}.${dailyBody}`).digest('base64') },
    body: dailyBody,
    expect: [401],
  });
  list.push({ kind: 'webhook: wrong secret', ...D, what: 'Whereby’s secret', headers: dailyHeaders(dailyBody, Buffer.from(secrets.whereby).toString('base64')), body: dailyBody, expect: [401] });
  const tamper: [string, string][] = [
    ['session id changed', dailyBody.replace('intruder', 'intruder2')],
    ['room changed', dailyBody.replace(dailyRoom, ROOMS.burstDaily)],
    ['type changed', dailyBody.replace('participant.joined', 'participant.left')],
    ['event id changed', dailyBody.replace(/"id":"[^"]+"/, `"id":"${randomUUID()}"`)],
    ['a field added', dailyBody.replace('{"room"', '{"owner_override":true,"room"')],
    ['truncated', dailyBody.slice(0, -1)],
  ];
  for (const [what, body] of tamper) list.push({ kind: 'webhook: tampered body', ...D, what, headers: good, body, expect: [401] });

  const signedDaily = (what: string, body: string) => list.push({ kind: 'webhook: authentic but malformed', ...D, what, headers: dailyHeaders(body, secrets.daily), body, expect: [400] });
  const person = dailyPerson(dailyRoom, 'malformed');
  signedDaily('not JSON', 'hello');
  signedDaily('cut-off JSON', '{"type":"participant.joined","id":');
  signedDaily('an array', '[]');
  signedDaily('null', 'null');
  signedDaily('an empty object', '{}');
  signedDaily('no event id', J({ version: '1.0.0', type: 'participant.joined', payload: person, event_ts: now }));
  signedDaily('an empty event id', J({ ...dailyEvent('participant.joined', person), id: '' }));
  signedDaily('type a number', J({ ...dailyEvent('participant.joined', person), type: 5 }));
  signedDaily('payload an array', J(dailyEvent('participant.joined', [person])));
  signedDaily('payload null', J(dailyEvent('participant.joined', null)));
  signedDaily('event_ts text', J({ ...dailyEvent('participant.joined', person), event_ts: 'yesterday' }));
  signedDaily('participant without session_id', J(dailyEvent('participant.joined', { ...person, session_id: undefined })));
  signedDaily('participant with an empty room', J(dailyEvent('participant.joined', { ...person, room: '' })));
  signedDaily('joined_at text', J(dailyEvent('participant.joined', { ...person, joined_at: '2026-01-01' })));
  signedDaily('joined_at negative', J(dailyEvent('participant.joined', { ...person, joined_at: -1 })));
  signedDaily('left with a negative duration', J(dailyEvent('participant.left', { ...person, duration: -3 })));
  signedDaily('meeting.started without start_ts', J(dailyEvent('meeting.started', { room: dailyRoom, meeting_id: 'm' })));
  signedDaily('meeting.ended with end_ts text', J(dailyEvent('meeting.ended', { room: dailyRoom, start_ts: now - 60, end_ts: 'later' })));
  signedDaily('recording ready without recording_id', J(dailyEvent('recording.ready-to-download', { room_name: dailyRoom, start_ts: now, status: 'finished' })));
  signedDaily('recording ready with tracks lacking keys', J(dailyEvent('recording.ready-to-download', { recording_id: 'r-x', room_name: dailyRoom, start_ts: now, tracks: [{ type: 'cam-audio' }] })));
  signedDaily('recording.error without error_msg', J(dailyEvent('recording.error', { room_name: dailyRoom, timestamp: now })));
  signedDaily('recording.started with start_ts text', J(dailyEvent('recording.started', { recording_id: 'r-y', start_ts: 'now' })));
  // A start no date can hold (past the year 275760): no object key can be made of it.
  signedDaily('recording ready with start_ts 1e16', J(dailyEvent('recording.ready-to-download', { recording_id: 'r-z', room_name: dailyRoom, start_ts: 1e16, status: 'finished' })));
  // Deep nesting: parsed, never recursed into on the way to a 400.
  signedDaily('100 000 nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  list.push({ kind: 'webhook: bad or missing signature', ...D, what: '100 000 nested arrays, unsigned', headers: { 'content-type': 'application/json' }, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, expect: [401] });

  // Whereby.
  const wherebyBody = J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'intruder')));
  const wGood = wherebyHeaders(wherebyBody, secrets.whereby);
  const [, wTime, wSig] = /t=(\d+),v1=([0-9a-f]+)/.exec(wGood['whereby-signature']!)!;
  const wSignature: [string, string | undefined][] = [
    ['no signature header', undefined],
    ['empty header', ''],
    ['no v1=', `t=${wTime}`],
    ['no t=', `v1=${wSig}`],
    ['t= not a number', `t=soon,v1=${wSig}`],
    ['v1= not hex', `t=${wTime},v1=zz${wSig!.slice(2)}`],
    ['v1= of odd length', `t=${wTime},v1=${wSig!.slice(1)}`],
    ['v1= empty', `t=${wTime},v1=`],
    ['v1= garbage', `t=${wTime},v1=deadbeef`],
    ['timestamp changed after signing', `t=${Number(wTime) + 1},v1=${wSig}`],
    ['base64 instead of hex', `t=${wTime},v1=${Buffer.from(wSig!, 'hex').toString('base64')}`],
    ['signature of another body', wherebyHeaders(J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'x'))), secrets.whereby, wTime)['whereby-signature']],
  ];
  for (const [what, header] of wSignature) {
    list.push({ kind: 'webhook: bad or missing signature', ...W, what, headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { 'whereby-signature': header }) }, body: wherebyBody, expect: [401] });
  }
  for (const [what, timestamp] of stale.slice(0, 6)) list.push({ kind: 'webhook: stale or future timestamp', ...W, what, headers: wherebyHeaders(wherebyBody, secrets.whereby, timestamp), body: wherebyBody, expect: [401] });
  list.push({ kind: 'webhook: wrong secret', ...W, what: 'another secret', headers: wherebyHeaders(wherebyBody, randomBytes(24).toString('hex')), body: wherebyBody, expect: [401] });
  list.push({ kind: 'webhook: wrong secret', ...W, what: 'Daily’s secret', headers: wherebyHeaders(wherebyBody, secrets.daily), body: wherebyBody, expect: [401] });
  const wTamper: [string, string][] = [
    ['participant changed', wherebyBody.replace('intruder', 'intruder2')],
    ['meeting changed', wherebyBody.replace(`"meetingId":"${wherebyId}"`, `"meetingId":"${fixture.wherebyIds[ROOMS.burstWhereby]}"`)],
    ['type changed', wherebyBody.replace('room.client.joined', 'room.client.left')],
    ['event id changed', wherebyBody.replace(/^\{"id":"[^"]+"/, `{"id":"${randomUUID()}"`)],
  ];
  for (const [what, body] of wTamper) list.push({ kind: 'webhook: tampered body', ...W, what, headers: wGood, body, expect: [401] });

  const signedWhereby = (what: string, body: string) => list.push({ kind: 'webhook: authentic but malformed', ...W, what, headers: wherebyHeaders(body, secrets.whereby), body, expect: [400] });
  const client = wherebyClient(wherebyId, wherebyRoom, 'malformed');
  signedWhereby('not JSON', 'hello');
  signedWhereby('an array', '[]');
  signedWhereby('an empty object', '{}');
  signedWhereby('no event id', J({ apiVersion: '1.0', createdAt: new Date().toISOString(), type: 'room.client.joined', data: client }));
  signedWhereby('createdAt not a date', J({ ...wherebyEvent('room.client.joined', client), createdAt: 'yesterday' }));
  signedWhereby('createdAt a number', J({ ...wherebyEvent('room.client.joined', client), createdAt: Date.now() }));
  signedWhereby('data an array', J(wherebyEvent('room.client.joined', [client])));
  signedWhereby('type a number', J({ ...wherebyEvent('room.client.joined', client), type: 7 }));
  signedWhereby('client without participantId', J(wherebyEvent('room.client.joined', { ...client, participantId: undefined })));
  signedWhereby('client without meetingId', J(wherebyEvent('room.client.left', { ...client, meetingId: undefined })));
  signedWhereby('client with an empty meetingId', J(wherebyEvent('room.client.joined', { ...client, meetingId: '' })));
  signedWhereby('session event with meetingId a number', J(wherebyEvent('room.session.started', { meetingId: 12345, roomName: `/${wherebyRoom}` })));
  signedWhereby('recording without filename', J(wherebyEvent('recording.finished', { recordingId: 'w-x', roomName: `/${wherebyRoom}`, meetingId: wherebyId })));
  signedWhereby('recording without roomName', J(wherebyEvent('recording.finished', { recordingId: 'w-y', filename: 'x.mp4' })));

  // Oversized, signed or not, with a length or streamed without one.
  const big = (bytes: number) => J({ ...dailyEvent('participant.joined', dailyPerson(dailyRoom, 'big')), padding: 'x'.repeat(bytes) });
  const mb = 1024 * 1024;
  const over = big(mb);
  list.push({ kind: 'oversized body', ...D, what: 'just over 1 MB, signed', headers: dailyHeaders(over, secrets.daily), body: over, expect: [413] });
  list.push({ kind: 'oversized body', ...D, what: '5 MB, unsigned', headers: { 'content-type': 'application/json' }, body: big(5 * mb), expect: [413] });
  list.push({ kind: 'oversized body', ...D, what: '2 MB streamed without a length, signed', headers: dailyHeaders(big(2 * mb), secrets.daily), body: streamOf(big(2 * mb)), expect: [413] });
  const wOver = J({ ...wherebyEvent('room.client.joined', client), padding: 'x'.repeat(mb) });
  list.push({ kind: 'oversized body', ...W, what: 'just over 1 MB, signed', headers: wherebyHeaders(wOver, secrets.whereby), body: wOver, expect: [413] });
  list.push({ kind: 'oversized body', ...W, what: '3 MB streamed without a length, unsigned', headers: { 'content-type': 'application/json' }, body: streamOf(J({ padding: 'x'.repeat(3 * mb) })), expect: [413] });

  // Daily's verification ping: 200, nothing else.
  list.push({ kind: 'webhook: Daily ping', ...D, what: '{"test":"test"}', headers: { 'content-type': 'application/json' }, body: '{"test":"test"}', expect: [200], expectBody: { status: 'ok' } });
  list.push({ kind: 'webhook: Daily ping', ...D, what: 'the ping with spaces', headers: { 'content-type': 'application/json' }, body: '{ "test" : "test" }', expect: [200], expectBody: { status: 'ok' } });

  // Replays of the events applied during set-up: re-signed now, as a provider's retry would be, and as first sent.
  for (const applied of fixture.applied) {
    const target = applied.provider === 'daily' ? D : W;
    const type = (JSON.parse(applied.body) as Json).type as string;
    const fresh = applied.provider === 'daily' ? dailyHeaders(applied.body, secrets.daily) : wherebyHeaders(applied.body, secrets.whereby);
    list.push({ kind: 'webhook: replay of an applied event', ...target, what: `${applied.provider} ${type}, re-signed`, headers: fresh, body: applied.body, expect: [200], expectBody: { status: 'duplicate' } });
    // Within the 5 minutes, the very same request is also only a duplicate.
    if (Date.now() - applied.sentAt < 240_000) {
      list.push({ kind: 'webhook: replay of an applied event', ...target, what: `${applied.provider} ${type}, byte for byte`, headers: applied.headers, body: applied.body, expect: [200], expectBody: { status: 'duplicate' } });
    }
    const old = seconds() - 3600;
    const stale = applied.provider === 'daily' ? dailyHeaders(applied.body, secrets.daily, old) : wherebyHeaders(applied.body, secrets.whereby, old);
    list.push({ kind: 'webhook: stale or future timestamp', ...target, what: `${applied.provider} ${type} replayed with an hour-old signature`, headers: stale, body: applied.body, expect: [401] });
  }
  return list;
}

function streamOf(text: string): () => ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  return () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        controller.close();
      },
    });
}

async function runAttack(base: string, attack: Attack): Promise<Outcome> {
  const body = typeof attack.body === 'function' ? attack.body() : attack.body;
  try {
    const answer = await send(`${base}${attack.path}`, {
      method: attack.method,
      headers: attack.headers ?? {},
      body,
      ...(typeof attack.body === 'function' ? { duplex: 'half' } : {}),
    } as RequestInit & { headers?: Headers });
    return { attack, status: answer.status, body: answer.body, text: answer.text, requestId: answer.headers.get('x-request-id') };
  } catch (error) {
    return { attack, status: null, body: null, text: '', requestId: null, error: error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error) };
  }
}

/** What is wrong with an answer, if anything. */
function judge(outcome: Outcome): string | null {
  const { attack, status, body } = outcome;
  if (status === null) return `no answer (${outcome.error})`;
  if (status >= 500) return `answered ${status}: ${outcome.text.slice(0, 300)}`;
  if (!attack.expect.includes(status)) return `answered ${status}, not ${attack.expect.join(' or ')}: ${outcome.text.slice(0, 300)}`;
  if (body === null) return `answered ${status} with a body that is not JSON: ${outcome.text.slice(0, 200)}`;
  if (status >= 400 && (typeof body.detail !== 'string' || body.detail.trim() === '')) return `answered ${status} without a detail: ${outcome.text.slice(0, 200)}`;
  if (status < 400) {
    for (const [key, value] of Object.entries(attack.expectBody ?? {})) {
      if (body[key] !== value) return `answered ${status} with ${key} ${J(body[key])}, not ${J(value)}`;
    }
  }
  if (!outcome.requestId) return `answered ${status} without an X-Request-Id header`;
  return null;
}

async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/** The API's operations as its OpenAPI document lists them: `METHOD /v1/path/{param}`. */
async function operations(base: string): Promise<string[]> {
  const document = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path.startsWith('/v1') ? path : `/v1${path}`}`),
  );
}

/** For an operation this suite has no specific cases for (a newer route): credentials that must not pass. */
function genericAttacks(operation: string, tokens: Tokens): Attack[] {
  const [method, template] = operation.split(' ') as [string, string];
  const path = template.replace(/\{[^}]+\}/g, 'proof-unknown');
  const credentials = tokens.bad.filter((credential) => !credential.anonymous || method === 'GET');
  return [
    ...credentials.map((credential) => ({
      kind: 'missing/forged/expired/garbage credentials' as const,
      operation,
      what: credential.name,
      method,
      path,
      headers: { 'content-type': 'application/json', ...credential.headers },
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      expect: [400, 401, 403, 404, 415, 422],
    })),
    ...(method === 'GET'
      ? [{ kind: 'not allowed (non-owner, non-admin)' as const, operation, what: 'a signed-in user without the right', method, path, headers: bearer(tokens.stranger), expect: [403, 404, 422] }]
      : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// The burst.

interface BurstEvent {
  provider: 'daily' | 'whereby';
  id: string;
  participant: string;
  move: 'join' | 'leave';
  body: string;
  status: number | null;
  attempts: number;
  outcome?: string;
  /** The order in which the answers came (the last try's). */
  answered?: number;
}

async function burst(service: LocalService, fixture: Fixture, secrets: Secrets) {
  const daily = fixture.meetings[ROOMS.burstDaily]!;
  const whereby = fixture.meetings[ROOMS.burstWhereby]!;
  const wherebyId = fixture.wherebyIds[ROOMS.burstWhereby]!;
  const events: BurstEvent[] = [];
  const queued: BurstEvent[] = [];
  let participants = 0;

  const make = (provider: BurstEvent['provider'], move: BurstEvent['move'], participant: string): BurstEvent => {
    const id = randomUUID();
    const body =
      provider === 'daily'
        ? J(dailyEvent(move === 'join' ? 'participant.joined' : 'participant.left', { ...dailyPerson(daily.room_name, participant), ...(move === 'leave' ? { duration: 4 } : {}) }, id))
        : J(wherebyEvent(move === 'join' ? 'room.client.joined' : 'room.client.left', wherebyClient(wherebyId, whereby.room_name, participant), id));
    return { provider, id, participant, move, body, status: null, attempts: 0 };
  };
  // Each participant joins; two in three leave again, and one in six of those leaves is sent
  // before its join (a provider's out-of-order delivery). The second event of a pair is taken by
  // the next free connection, so the two are often in flight together as well.
  const next = (): BurstEvent => {
    const queuedEvent = queued.shift();
    if (queuedEvent) return queuedEvent;
    const n = participants++;
    const provider = n % 2 === 0 ? 'daily' : 'whereby';
    const participant = `burst-${n}`;
    if (n % 3 === 0) return make(provider, 'join', participant);
    if (n % 6 === 1) {
      queued.push(make(provider, 'join', participant));
      return make(provider, 'leave', participant);
    }
    queued.push(make(provider, 'leave', participant));
    return make(provider, 'join', participant);
  };

  const started = Date.now();
  const deadline = started + BURST_SECONDS * 1000;
  let firstTry5xx = 0;
  let answers = 0;
  let networkErrors = 0;
  await Promise.all(
    Array.from({ length: BURST_CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        const event = next();
        events.push(event);
        // A provider retries what was not answered 2xx; so does this sender, a few times.
        while (event.attempts < 4) {
          event.attempts++;
          const headers = event.provider === 'daily' ? dailyHeaders(event.body, secrets.daily) : wherebyHeaders(event.body, secrets.whereby);
          try {
            const answer = await send(`${service.url}${event.provider === 'daily' ? '/v1/daily/webhook' : '/v1/whereby'}`, { method: 'POST', headers, body: event.body });
            event.status = answer.status;
            event.outcome = answer.body?.status;
            event.answered = answers++;
          } catch {
            event.status = null;
            networkErrors++;
          }
          if (event.status !== null && event.status < 500) break;
          if (event.attempts === 1 && event.status !== null) firstTry5xx++;
          await sleep(200);
        }
      }
    }),
  );
  const duration = (Date.now() - started) / 1000;

  // What the database recorded.
  const ok = events.filter((event) => event.status !== null && event.status >= 200 && event.status < 300);
  const okIds = new Set(ok.map((event) => event.id));
  const byId = new Map(events.map((event) => [event.id, event]));
  const [recorded, counts, open] = await d1(
    [
      `SELECT platform, event_id, meeting_id, outcome FROM webhook_events WHERE meeting_id IN ('${daily.id}', '${whereby.id}')`,
      `SELECT id, num_clients FROM meetings WHERE id IN ('${daily.id}', '${whereby.id}')`,
      `SELECT meeting_id, count(*) AS open FROM participant_sessions WHERE meeting_id IN ('${daily.id}', '${whereby.id}') AND joined_at IS NOT NULL AND left_at IS NULL GROUP BY meeting_id`,
    ].join('; '),
  );
  const rows = recorded?.results ?? [];
  const timesRecorded = new Map<string, number>();
  for (const row of rows) timesRecorded.set(String(row.event_id), (timesRecorded.get(String(row.event_id)) ?? 0) + 1);

  const problems: string[] = [];
  const notOk = events.filter((event) => !okIds.has(event.id));
  if (notOk.length) problems.push(`${notOk.length} events never answered 2xx after ${4} tries, e.g. ${notOk.slice(0, 3).map((e) => `${e.provider} ${e.move} → ${e.status}`).join(', ')}`);
  const notApplied = ok.filter((event) => event.outcome !== 'applied');
  if (notApplied.length) problems.push(`${notApplied.length} fresh events answered other than "applied", e.g. ${notApplied.slice(0, 3).map((e) => `${e.provider} ${e.move} → ${e.outcome}`).join(', ')}`);
  const missing = ok.filter((event) => (timesRecorded.get(event.id) ?? 0) === 0);
  if (missing.length) problems.push(`${missing.length} events answered 2xx are not in webhook_events, e.g. ${missing.slice(0, 3).map((e) => e.id).join(', ')}`);
  const twice = [...timesRecorded.entries()].filter(([, n]) => n > 1);
  if (twice.length) problems.push(`${twice.length} event ids are recorded more than once, e.g. ${twice.slice(0, 3).map(([id, n]) => `${id} ×${n}`).join(', ')}`);
  const strangers = rows.filter((row) => !byId.has(String(row.event_id)));
  if (strangers.length) problems.push(`${strangers.length} events recorded for the burst's meetings that were never sent`);
  const misfiled = rows.filter((row) => byId.has(String(row.event_id)) && (row.outcome !== 'applied' || row.platform !== byId.get(String(row.event_id))?.provider));
  if (misfiled.length) problems.push(`${misfiled.length} events recorded with the wrong outcome or platform`);

  // num_clients: the participants whose join was recorded and whose leave was not.
  const expected = new Map<string, number>();
  for (const [provider, meeting] of [['daily', daily], ['whereby', whereby]] as const) {
    const mine = ok.filter((event) => event.provider === provider);
    const joined = new Set(mine.filter((event) => event.move === 'join').map((event) => event.participant));
    const left = new Set(mine.filter((event) => event.move === 'leave').map((event) => event.participant));
    expected.set(meeting.id, [...joined].filter((participant) => !left.has(participant)).length);
  }
  const actual = new Map((counts?.results ?? []).map((row) => [String(row.id), Number(row.num_clients)]));
  const openSessions = new Map((open?.results ?? []).map((row) => [String(row.meeting_id), Number(row.open)]));
  for (const [meetingId, want] of expected) {
    const name = meetingId === daily.id ? 'Daily' : 'Whereby';
    if (actual.get(meetingId) !== want) problems.push(`${name} meeting's num_clients is ${actual.get(meetingId)}, the events sent make it ${want}`);
    if ((openSessions.get(meetingId) ?? 0) !== want) problems.push(`${name} meeting has ${openSessions.get(meetingId) ?? 0} open participant sessions, the events sent make it ${want}`);
  }
  // The join page shows that count too.
  for (const name of [ROOMS.burstDaily, ROOMS.burstWhereby]) {
    const shown = await must(service.url, 'POST', `/v1/rooms/${name}/meeting`);
    if (shown.num_clients !== expected.get(shown.id)) problems.push(`the join page of ${name} shows ${shown.num_clients} people, the events sent make it ${expected.get(shown.id)}`);
  }
  const leavesFirst = countLeavesFirst(events);
  return {
    sent: events.length,
    attempts: events.reduce((sum, event) => sum + event.attempts, 0),
    ok: ok.length,
    recorded: ok.filter((event) => timesRecorded.get(event.id) === 1).length,
    firstTry5xx,
    networkErrors,
    duration,
    byProvider: { daily: events.filter((e) => e.provider === 'daily').length, whereby: events.filter((e) => e.provider === 'whereby').length },
    joins: events.filter((e) => e.move === 'join').length,
    leaves: events.filter((e) => e.move === 'leave').length,
    leavesFirst,
    expected: Object.fromEntries([...expected].map(([id, n]) => [id === daily.id ? 'daily' : 'whereby', n])),
    problems,
  };
}

/** How many leaves were answered before their participant's join: recorded out of order. */
function countLeavesFirst(events: BurstEvent[]): number {
  const joins = new Map<string, number>();
  for (const event of events) if (event.move === 'join' && event.answered !== undefined) joins.set(`${event.provider}/${event.participant}`, event.answered);
  return events.filter((event) => event.move === 'leave' && event.answered !== undefined && event.answered < (joins.get(`${event.provider}/${event.participant}`) ?? Infinity)).length;
}

// ---------------------------------------------------------------------------------------------

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const loadBefore = loadavg()[0]!;
  rmSync(DIR, { recursive: true, force: true });
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));

  const identity = await startIdentityProvider();
  let service: LocalService | undefined;
  try {
    const secrets = configureEnvironment(identity);
    const tokens = await makeTokens(identity);
    process.stderr.write(`proof: starting the local service (wrangler output: ${relative(process.cwd(), WRANGLER_LOG)}) ...\n`);
    let phase = Date.now();
    service = await startLocalService({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: PERSIST_TO,
      s3Directory: S3_DIRECTORY,
      output: { file: WRANGLER_LOG },
      logLevel: 'warn',
      devVars: false,
      signal: controller.signal,
    });
    const health = await must(service.url, 'GET', '/v1/health');
    if (health.integrations?.sign_in !== 'identity-provider') throw new Error(`the service does not sign in through the JWKS (sign_in: ${health.integrations?.sign_in})`);
    const times: [string, string][] = [['start', elapsed(phase)]];

    phase = Date.now();
    const fixture = await prepare(service, tokens, secrets);
    times.push(['fixtures', elapsed(phase)]);

    phase = Date.now();
    const list = attacks(fixture, tokens, secrets);
    const known = new Set(list.map((attack) => attack.operation));
    const allOperations = await operations(service.url);
    for (const operation of allOperations) if (!known.has(operation)) list.push(...genericAttacks(operation, tokens));
    const flagsBefore = await must(service.url, 'GET', '/v1/flags', { token: tokens.admin });
    const [dbBefore, bucketBefore, callsBefore, countsBefore] = [await snapshotDb(), snapshotBucket(), await providerCalls(service), await counters()];
    times.push(['snapshot', elapsed(phase)]);

    phase = Date.now();
    process.stderr.write(`proof: ${list.length} hostile requests across ${allOperations.length} operations ...\n`);
    const outcomes = await pool(list, ATTACK_CONCURRENCY, (attack) => runAttack(service!.url, attack));
    times.push(['hostile requests', elapsed(phase)]);

    phase = Date.now();
    const [dbAfter, bucketAfter, callsAfter, countsAfter] = [await snapshotDb(), snapshotBucket(), await providerCalls(service), await counters()];
    const flagsAfter = await must(service.url, 'GET', '/v1/flags', { token: tokens.admin });
    times.push(['snapshot again', elapsed(phase)]);

    // Judge the answers.
    const byKind = new Map<string, { tried: number; failed: number }>();
    let fiveHundreds = 0;
    for (const outcome of outcomes) {
      const entry = byKind.get(outcome.attack.kind) ?? { tried: 0, failed: 0 };
      entry.tried++;
      if (outcome.status !== null && outcome.status >= 500) fiveHundreds++;
      const wrong = judge(outcome);
      if (wrong) {
        entry.failed++;
        violation(`${outcome.attack.method} ${outcome.attack.path.slice(0, 120)} [${outcome.attack.kind}: ${outcome.attack.what}] ${wrong}`);
      }
      byKind.set(outcome.attack.kind, entry);
    }
    if (list.length < MIN_ATTACKS) violation(`only ${list.length} hostile requests; the proof asks for at least ${MIN_ATTACKS}`);
    const perOperation = new Map(allOperations.map((operation) => [operation, outcomes.filter((outcome) => outcome.attack.operation === operation).length]));
    for (const [operation, n] of perOperation) if (n < 3) violation(`${operation} got only ${n} hostile requests`);

    // Nothing changed.
    const dbChanges = compareDb(dbBefore, dbAfter);
    const rowsChanged = dbChanges.reduce((sum, change) => sum + Math.max(change.gone.length, change.added.length), 0);
    for (const change of dbChanges) {
      violation(`table ${change.table} changed: ${change.gone.length} rows gone or changed, ${change.added.length} new or changed; e.g. ${(change.added[0] ?? change.gone[0] ?? '').slice(0, 300)}`);
    }
    const bucketChanged = [...new Set([...bucketBefore.keys(), ...bucketAfter.keys()])].filter((path) => bucketBefore.get(path) !== bucketAfter.get(path));
    if (bucketChanged.length) violation(`the bucket changed: ${bucketChanged.slice(0, 5).join(', ')}`);
    if (J(flagsBefore) !== J(flagsAfter)) violation(`the rollout flags changed: ${J(flagsBefore)} → ${J(flagsAfter)}`);
    if (callsAfter !== callsBefore) violation(`the providers were called ${callsAfter - callsBefore} times during the hostile requests`);
    const expectedGain = expectedCounts(outcomes);
    const gained = new Map([...new Set([...countsBefore.keys(), ...countsAfter.keys()])].map((key) => [key, (countsAfter.get(key) ?? 0) - (countsBefore.get(key) ?? 0)]));
    for (const key of new Set([...gained.keys(), ...expectedGain.keys()])) {
      if ((gained.get(key) ?? 0) !== (expectedGain.get(key) ?? 0)) violation(`the counter ${key} gained ${gained.get(key) ?? 0}, but ${expectedGain.get(key) ?? 0} deliveries were answered so`);
    }

    const tableCount = dbBefore.size;
    const rowCount = [...dbBefore.values()].reduce((sum, rows) => sum + rows.length, 0);
    process.stdout.write('\nHostile requests (each must answer its 4xx, or the documented 200, as JSON; none 5xx; nothing changed)\n');
    process.stdout.write(
      `${table([
        ['kind', 'tried', 'wrong'],
        ...[...byKind.entries()].sort((a, b) => b[1].tried - a[1].tried).map(([kind, entry]) => [kind, String(entry.tried), String(entry.failed)]),
        ['all', String(outcomes.length), String([...byKind.values()].reduce((sum, entry) => sum + entry.failed, 0))],
      ])}\n`,
    );
    const statuses = new Map<string, number>();
    for (const outcome of outcomes) statuses.set(String(outcome.status ?? 'none'), (statuses.get(String(outcome.status ?? 'none')) ?? 0) + 1);
    process.stdout.write(`answers by status: ${[...statuses.entries()].sort().map(([status, n]) => `${status} ×${n}`).join(', ')}\n`);
    process.stdout.write(`operations covered: ${allOperations.length} (${[...perOperation.values()].reduce((a, b) => Math.min(a, b), Infinity)} requests at the least covered)\n`);
    process.stdout.write(`5xx seen: ${fiveHundreds}\n`);
    process.stdout.write(`rows changed: ${rowsChanged} (of ${rowCount} rows in ${tableCount} tables compared)\n`);
    process.stdout.write(
      `counted for the metrics: ${[...gained.entries()].filter(([, n]) => n).map(([key, n]) => `${key} +${n}`).join(', ') || 'nothing'} (expected from the answers: ${[...expectedGain.entries()].map(([key, n]) => `${key} +${n}`).join(', ') || 'nothing'})\n`,
    );
    process.stdout.write(`bucket files changed: ${bucketChanged.length} (of ${bucketAfter.size} files, ${objectCount(bucketAfter)} objects); flags changed: ${J(flagsBefore) === J(flagsAfter) ? 'no' : 'yes'}; provider calls made: ${callsAfter - callsBefore}\n`);

    phase = Date.now();
    process.stderr.write(`proof: burst of signed webhooks, ${BURST_CONNECTIONS} connections for ${BURST_SECONDS} s ...\n`);
    const result = await burst(service, fixture, secrets);
    times.push(['burst and its check', elapsed(phase)]);
    for (const problem of result.problems) violation(`burst: ${problem}`);
    process.stdout.write(`\nBurst of signed webhooks: ${BURST_CONNECTIONS} connections for ${result.duration.toFixed(1)} s\n`);
    process.stdout.write(
      `events sent: ${result.sent} (Daily ${result.byProvider.daily}, Whereby ${result.byProvider.whereby}; ${result.joins} joins, ${result.leaves} leaves, ${result.leavesFirst} leaves answered before their join), ${(result.sent / result.duration).toFixed(0)} events/s\n`,
    );
    process.stdout.write(`answered 2xx: ${result.ok}; recorded exactly once: ${result.recorded}; 5xx at first try: ${result.firstTry5xx}; network errors: ${result.networkErrors}; deliveries in all: ${result.attempts}\n`);
    process.stdout.write(`num_clients as the events make it: Daily ${result.expected.daily}, Whereby ${result.expected.whereby}: ${result.problems.some((p) => p.includes('num_clients') || p.includes('open participant')) ? 'NOT matched' : 'matched'}\n`);

    times.push(['total', elapsed(runStarted)]);
    process.stdout.write(`\ntimes: ${times.map(([name, time]) => `${name} ${time}`).join(', ')}; machine load before/after: ${loadBefore.toFixed(2)}/${loadavg()[0]!.toFixed(2)}\n`);
  } finally {
    await service?.stop();
    await identity.close();
  }

  if (violations.length) {
    process.stdout.write(`\nPROOF FAILED: ${violations.length} violations\n`);
    for (const text of violations.slice(0, 60)) process.stdout.write(`  - ${text}\n`);
    if (violations.length > 60) process.stdout.write(`  ... and ${violations.length - 60} more\n`);
    process.stdout.write(`(the Worker's log: ${relative(process.cwd(), WRANGLER_LOG)})\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nproof passed\n');
  }
}

main().catch((error: unknown) => {
  console.error(`proof failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
