// The proof's set-up: the service's own settings (where its state lives, its secrets), the tokens
// shown to it, and the fixtures it holds before the hostile requests start.

import { createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsClient } from 'aws4fetch';
import { importJWK, type JWK, SignJWT } from 'jose';
import {
  dailyEvent,
  dailyParticipant,
  deliveryHeaders,
  wherebyClient,
  wherebyEvent,
} from '../../dev/provider-webhooks.ts';
import type { IdentityProvider } from '../../test/identity-provider.ts';
import { ROOT } from '../local/root.ts';
import type { LocalService } from '../local/service.ts';
import { SETTING_NAMES } from '../local/settings.ts';
import { queryLocalD1 } from '../local/wrangler.ts';
import { bearer, type Headers, type Json, must, seconds, send } from './wire.ts';

const OWNER = 'proof-owner';
const STRANGER = 'proof-stranger';
export const ADMIN = 'proof-admin';

export const DIR = join(ROOT, '.wrangler', 'proof');
export const PERSIST_TO = join(DIR, 'state');
export const S3_DIRECTORY = join(DIR, 's3');
export const WRANGLER_LOG = join(DIR, 'wrangler.log');

// ---------------------------------------------------------------------------------------------
// The service's own settings: everything local, nothing from the developer's environment.

export interface Secrets {
  daily: string;
  whereby: string;
  pipeline: string;
}

/** An address RATE_LIMIT_EXEMPT_IPS names for the proof's service (TEST-NET-1), never rate limited. */
export const EXEMPT_ADDRESS = '192.0.2.250';

export function configureEnvironment(identity: IdentityProvider): Secrets {
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
    RATE_LIMIT_EXEMPT_IPS: EXEMPT_ADDRESS,
  });
  return secrets;
}

// ---------------------------------------------------------------------------------------------
// Tokens: real ones signed with the identity provider's keys, and every way of faking one.

const base64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export interface Tokens {
  owner: string;
  stranger: string;
  admin: string;
  /** Ways of presenting credentials that must not sign anyone in (name → headers). */
  bad: { name: string; headers: Headers; anonymous: boolean }[];
}

export async function makeTokens(identity: IdentityProvider): Promise<Tokens> {
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
  const publicPem = createPublicKey({ key: rsa.privateJwk as JWK & { kty: string }, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const hsInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })}.${base64url(claims)}`;
  const hs256 = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;

  const presented = async (name: string, token: Promise<string> | string) => ({
    name,
    headers: bearer(await token),
    anonymous: false,
  });
  const bad: Tokens['bad'] = [
    { name: 'no credentials', headers: {}, anonymous: true },
    { name: 'empty bearer', headers: { authorization: 'Bearer ' }, anonymous: true },
    {
      name: 'basic auth',
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN}:password`).toString('base64')}` },
      anonymous: true,
    },
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
    {
      name: 'forged CF_Authorization cookie',
      headers: { cookie: `CF_Authorization=${await sign(unknown, { sub: ADMIN })}` },
      anonymous: false,
    },
  ];
  return { owner, stranger, admin, bad };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: rooms on both platforms, an active meeting each, applied webhooks, stored recordings.

export interface Fixture {
  rooms: Record<string, Json>;
  meetings: Record<string, Json>;
  /** Whereby's own meeting ids (what its webhooks name), by our room name. */
  wherebyIds: Record<string, string>;
  /** The stored Daily recording first, then the one still recording whose deletion is due, then Whereby's. */
  recordings: Json[];
  /** Webhook requests applied during set-up, kept to replay. */
  applied: { provider: 'daily' | 'whereby'; body: string; headers: Headers; sentAt: number }[];
  /** Consent answers given to the Whereby room's meeting, each by one answerer: their ids. */
  consents: { byKey: string; bySub: string; keyless: string };
  /** A meeting retired more than an hour ago, which takes no more consent answers. */
  endedMeeting: Json;
}

/** The consent key of the one browser whose answer the fixtures give. */
export const PROOF_CONSENT_KEY = 'proof0consent0key0000000000000001';
/** How long ago the ended meeting was retired: past the consent window's hour. */
const ENDED_AGO_MS = 2 * 3_600_000;

export const ROOMS = {
  whereby: 'proof-whereby',
  daily: 'proof-daily',
  other: 'proof-other',
  idle: 'proof-idle',
  ended: 'proof-ended',
  /** A Daily meeting in which someone said no, its recording not finished yet. */
  declined: 'proof-declined',
  burstWhereby: 'proof-burst-whereby',
  burstDaily: 'proof-burst-daily',
  // Joined over and over by the rate-limit attacks: active meetings nobody is in, whose joins change nothing.
  limited: 'proof-limited',
  limitedOther: 'proof-limited-other',
} as const;

export async function prepare(service: LocalService, tokens: Tokens, secrets: Secrets): Promise<Fixture> {
  const base = service.url;
  await must(base, 'PUT', '/v1/flags', {
    token: tokens.admin,
    body: {
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: [ROOMS.daily, ROOMS.declined, ROOMS.burstDaily],
      DAILY_MIGRATION_PERCENT: 0,
    },
  });
  const rooms: Record<string, Json> = {};
  for (const name of Object.values(ROOMS))
    rooms[name] = await must(base, 'POST', '/v1/rooms', { token: tokens.owner, body: { name }, expect: 201 });

  const meetings: Record<string, Json> = {};
  const onDaily: string[] = [ROOMS.daily, ROOMS.declined, ROOMS.burstDaily];
  for (const name of [
    ROOMS.whereby,
    ROOMS.daily,
    ROOMS.declined,
    ROOMS.burstWhereby,
    ROOMS.burstDaily,
    ROOMS.limited,
    ROOMS.limitedOther,
  ]) {
    meetings[name] = await must(base, 'POST', `/v1/rooms/${name}/meeting`);
    const wanted = onDaily.includes(name) ? 'daily' : 'whereby';
    if (meetings[name]?.platform !== wanted)
      throw new Error(`fixture: ${name} is on ${meetings[name]?.platform}, not ${wanted}`);
  }
  const atWhereby = (await (
    await fetch(`${service.standIns.whereby.origin}/__control/whereby/meetings`)
  ).json()) as Json[];
  const wherebyIds: Record<string, string> = {};
  for (const name of [ROOMS.whereby, ROOMS.burstWhereby]) {
    const found = atWhereby.find((meeting) => meeting.roomUrl === meetings[name]?.room_url);
    if (!found) throw new Error(`fixture: Whereby has no meeting for ${name}`);
    wherebyIds[name] = String(found.meetingId);
  }

  const applied: Fixture['applied'] = [];
  const webhook = async (provider: 'daily' | 'whereby', event: unknown) => {
    const body = JSON.stringify(event);
    const headers = await deliveryHeaders(provider, body, secrets[provider]);
    const answer = await send(`${base}${provider === 'daily' ? '/v1/daily/webhook' : '/v1/whereby'}`, {
      method: 'POST',
      headers,
      body,
    });
    if (answer.status !== 200 || answer.body?.status !== 'applied')
      throw new Error(`fixture webhook answered ${answer.status}: ${answer.text}`);
    applied.push({ provider, body, headers, sentAt: Date.now() });
  };
  const daily = meetings[ROOMS.daily]!;
  const whereby = meetings[ROOMS.whereby]!;
  const wherebyId = wherebyIds[ROOMS.whereby]!;
  await webhook('daily', dailyEvent('participant.joined', dailyParticipant(daily.room_name, 'fixture-ann')));
  await webhook('daily', dailyEvent('participant.joined', dailyParticipant(daily.room_name, 'fixture-ben')));
  await webhook(
    'daily',
    dailyEvent('participant.left', { ...dailyParticipant(daily.room_name, 'fixture-ben'), duration: 3 }),
  );
  await webhook(
    'whereby',
    wherebyEvent('room.client.joined', wherebyClient(wherebyId, whereby.room_name, 'fixture-cat')),
  );

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
  const s3 = new AwsClient({
    accessKeyId: service.bucket.accessKeyId,
    secretAccessKey: service.bucket.secretAccessKey,
    service: 's3',
    region: 'us-east-1',
  });
  const put = await s3.fetch(`${service.bucket.endpoint}/${service.bucket.bucket}/${key}`, {
    method: 'PUT',
    body: randomBytes(64 * 1024),
  });
  if (!put.ok) throw new Error(`fixture: the bucket refused the Whereby object: ${put.status}`);
  await webhook(
    'whereby',
    wherebyEvent('recording.finished', {
      meetingId: wherebyId,
      roomName: `/${whereby.room_name}`,
      recordingId: 'proof-whereby-rec',
      filename: key,
      status: 'completed',
    }),
  );
  // One answer by each kind of answerer, which the hostile requests repeat: the same answer again
  // changes no row.
  const consented = async (body: Json, token?: string) =>
    String((await must(base, 'POST', `/v1/meetings/${whereby.id}/consent`, { body, token })).consent_id);
  const consents = {
    keyless: await consented({ consent_given: true }),
    byKey: await consented({ consent_given: true, consent_key: PROOF_CONSENT_KEY }),
    bySub: await consented({ consent_given: true }, tokens.stranger),
  };

  // A meeting over more than an hour ago: retired by its owner's settings change, then its
  // retirement moved back, as if two hours had passed.
  const endedMeeting = await must(base, 'POST', `/v1/rooms/${ROOMS.ended}/meeting`);
  await must(base, 'PATCH', `/v1/rooms/${rooms[ROOMS.ended]!.id}`, { token: tokens.owner, body: { is_locked: true } });
  await queryLocalD1(
    `UPDATE meetings SET retired_at = ${Date.now() - ENDED_AGO_MS} WHERE id = '${String(endedMeeting.id).replace(/'/g, "''")}' AND is_active = 0`,
    PERSIST_TO,
  );
  const [ended] = await queryLocalD1(
    `SELECT count(*) AS n FROM meetings WHERE id = '${String(endedMeeting.id).replace(/'/g, "''")}' AND retired_at < ${Date.now() - 3_600_000}`,
    PERSIST_TO,
  );
  if (ended?.results[0]?.n !== 1) throw new Error('fixture: the ended meeting was not retired two hours back');

  // Wait for the copy: the recording is stored and downloadable.
  const deadline = Date.now() + 60_000;
  let listed: Json[] = [];
  while (Date.now() < deadline) {
    listed = (await must(base, 'GET', `/v1/meetings/${daily.id}/recordings`, { token: tokens.owner })).items as Json[];
    if (listed[0]?.status === 'stored') break;
    await sleep(500);
  }
  if (listed[0]?.status !== 'stored')
    throw new Error(`fixture: the Daily recording was not stored within 60 s (${JSON.stringify(listed)})`);
  const download = await fetch(listed[0].download_url);
  if (download.status !== 200 || (await download.arrayBuffer()).byteLength !== 1024 * 1024 + 11)
    throw new Error('fixture: the stored recording does not download whole');
  // The copy then has Daily delete its own: that call and its row's change come before the snapshot.
  while (Date.now() < deadline) {
    const [copy] = await queryLocalD1(
      "SELECT provider_copy FROM recordings WHERE platform_recording_id = 'proof-rec-1'",
      PERSIST_TO,
    );
    if (copy?.results[0]?.provider_copy === 'deleted') break;
    await sleep(500);
  }

  // A Daily recording still being made in a meeting where someone said no, which the pipeline
  // reported: its deletion is due, and nothing of it is deleted or kept yet (SPEC §14).
  const declined = meetings[ROOMS.declined]!;
  await must(base, 'POST', `/v1/meetings/${declined.id}/consent`, { body: { consent_given: false } });
  await webhook(
    'daily',
    dailyEvent('recording.started', {
      recording_id: 'proof-rec-declined',
      room_name: declined.room_name,
      start_ts: seconds() - 60,
    }),
  );
  const declinedListed = (await must(base, 'GET', `/v1/meetings/${declined.id}/recordings`, { token: tokens.owner }))
    .items as Json[];
  const report = await send(`${base}/v1/recordings/${declinedListed[0]?.id}/processed`, {
    method: 'POST',
    headers: bearer(secrets.pipeline),
  });
  if (report.status !== 200 || report.body?.status !== 'deletion-due')
    throw new Error(`fixture: the report of the declined recording answered ${report.status}: ${report.text}`);
  const wherebyListed = (await must(base, 'GET', `/v1/meetings/${whereby.id}/recordings`, { token: tokens.owner }))
    .items as Json[];
  return {
    rooms,
    meetings,
    wherebyIds,
    recordings: [...listed, ...declinedListed, ...wherebyListed],
    applied,
    consents,
    endedMeeting,
  };
}
