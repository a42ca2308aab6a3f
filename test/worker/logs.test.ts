import { env } from 'cloudflare:workers';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailySignature, wherebyEvent, wherebySignature } from '../../dev/provider-webhooks';
import { log } from '../../worker/log';
import { WEBHOOK_SECRETS } from '../servers';
import { D1_UNIQUE_FAILURE, failingStatements } from './d1-bindings';
import {
  ADMIN,
  call,
  createRoom,
  deliverCopy,
  OWNER,
  requestWith,
  resetWorld,
  s3Proxy,
  servers,
  standIn,
  tokenFor,
} from './helpers';
import { meetingOn, sendDaily, sendWhereby } from './webhook-helpers';

// The Worker's log lines, as an operator's log search gets them: one JSON object a line, one
// line per request, queue message and webhook event, and never a secret or a token in them.

let lines: string[] = [];

beforeEach(async () => {
  await resetWorld();
  await s3Proxy.reset();
  lines = [];
  for (const method of ['log', 'warn', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
});

afterEach(() => vi.restoreAllMocks());

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const requestLines = (requestId: string | null) =>
  parsed().filter((line) => line.message === 'request' && line.request_id === requestId);

describe('the log', () => {
  it('never holds a secret or a token, whatever the requests carry', async () => {
    const ownerToken = await tokenFor(OWNER);
    const adminToken = await tokenFor(ADMIN);
    const forged = await tokenFor(OWNER, { key: 'unknown' });
    const wrongPipelineToken = 'not-the-pipeline-token-5e1f';

    // Owners join their rooms with each way of carrying their identity: the links they get hold tokens.
    await createRoom(OWNER, { name: 'logged-daily', platform: 'daily' });
    await createRoom(OWNER, { name: 'logged-whereby', platform: 'whereby' });
    await env.FLAGS.put('DAILY_MIGRATION_ENABLED', 'true');
    const links: string[] = [];
    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${ownerToken}` },
      { cookie: `CF_Authorization=${ownerToken}` },
      { 'cf-access-jwt-assertion': ownerToken },
    ]) {
      for (const room of ['logged-daily', 'logged-whereby']) {
        const joined = await call('POST', `/v1/rooms/${room}/meeting`, { headers });
        expect(joined.status).toBe(200);
        links.push(joined.body?.room_url, joined.body?.host_room_url);
      }
    }
    const dailyOwnerToken = new URL(links[0]!).searchParams.get('t');
    const wherebyHostKey = new URL(links[3]!).searchParams.get('roomKey');
    expect(dailyOwnerToken).toBeTruthy();
    expect(wherebyHostKey).toBeTruthy();
    expect((await call('GET', '/v1/rooms', { token: forged })).status).toBe(401);
    expect((await call('GET', '/v1/rooms', { headers: { authorization: `Bearer ${ownerToken}x` } })).status).toBe(401);

    // Webhooks, signed and forged; a recording copied into the bucket; its download link; the pipeline.
    const meeting = await meetingOn('daily', 'logged-recording');
    const ready = JSON.stringify(
      dailyEvent('recording.ready-to-download', {
        type: 'cloud',
        recording_id: 'logged-rec',
        room_name: meeting.roomName,
        start_ts: Date.now() / 1000 - 60,
        status: 'finished',
        duration: 60,
      }),
    );
    expect((await sendDaily(ready)).status).toBe(200);
    expect(
      (
        await sendDaily(ready, {
          ...(await dailySignature(ready, Buffer.from('an-attacker-secret').toString('base64'))),
        })
      ).status,
    ).toBe(401);
    const left = JSON.stringify(
      wherebyEvent('room.client.left', { meetingId: 'nope', roomName: '/nope', participantId: 'p' }),
    );
    expect((await sendWhereby(left, await wherebySignature(left, 'an-attacker-secret'))).status).toBe(401);
    const recording = await env.DB.prepare(
      "SELECT id FROM recordings WHERE platform_recording_id = 'logged-rec'",
    ).first<{ id: string }>();
    const { result } = await deliverCopy(recording!.id);
    expect(result.explicitAcks).toHaveLength(1);
    const listed = await call('GET', `/v1/meetings/${meeting.id}/recordings`, { token: adminToken });
    const downloadUrl = listed.body?.items[0].download_url as string;
    expect(downloadUrl).toContain('X-Amz-Signature=');
    expect(
      (
        await call('POST', `/v1/recordings/${recording!.id}/processed`, {
          headers: { authorization: `Bearer ${wrongPipelineToken}` },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call('POST', `/v1/recordings/${recording!.id}/processed`, {
          headers: { authorization: 'Bearer test-pipeline-token' },
        })
      ).status,
    ).toBe(200);
    expect((await call('GET', '/v1/metrics', { token: adminToken })).status).toBe(200);
    // A provider refusing a call with its own words.
    await createRoom(OWNER, { name: 'logged-refused', platform: 'whereby' });
    await standIn.fault('whereby', {
      method: 'POST',
      path: '^/v1/meetings$',
      status: 401,
      body: { error: 'Invalid API key' },
    });
    expect((await call('POST', '/v1/rooms/logged-refused/meeting', { token: ownerToken })).status).toBe(502);

    const secrets = {
      'the Whereby API key': servers.whereby.apiKey,
      'the Daily API key': servers.daily.apiKey,
      'the Daily webhook secret': WEBHOOK_SECRETS.daily,
      'the Whereby webhook secret': WEBHOOK_SECRETS.whereby,
      'the S3 secret key': servers.s3.secretAccessKey,
      'the pipeline token': 'test-pipeline-token',
      'a wrong pipeline token': wrongPipelineToken,
      "the owner's JWT": ownerToken,
      "the admin's JWT": adminToken,
      'a forged JWT': forged,
      "the Daily owner's meeting token": dailyOwnerToken!,
      "the Whereby host's room key": wherebyHostKey!,
      'a presigned link': downloadUrl,
    };
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      for (const [name, secret] of Object.entries(secrets))
        expect(line.includes(secret), `${name} in ${line}`).toBe(false);
      // Nor any other JWT, signature or credential header.
      expect(line, 'a JWT').not.toMatch(/eyJ[\w-]{8,}/);
      expect(line, 'a request signature').not.toMatch(/X-Amz-Signature|Signature=|v1=[0-9a-f]{16}/i);
      expect(line, 'a credential header').not.toMatch(/bearer |authorization|cookie/i);
    }
  });

  it('gives each request one JSON line with its request id, status, duration, and the platform, room and meeting it concerned', async () => {
    const meeting = await meetingOn('whereby', 'one-line');
    lines = [];
    const joined = await call('POST', '/v1/rooms/one-line/meeting');
    const event = wherebyEvent('room.client.joined', {
      meetingId: meeting.platformMeetingId,
      roomName: `/${meeting.roomName}`,
      participantId: 'p1',
    });
    const delivered = await sendWhereby(event);
    const missing = await call('POST', '/v1/rooms/no-such-room/meeting');

    for (const line of parsed())
      expect(line).toMatchObject({
        level: expect.stringMatching(/^(info|warn|error)$/),
        message: expect.any(String),
        time: expect.any(String),
      });
    const [join] = requestLines(joined.headers.get('x-request-id'));
    expect(requestLines(joined.headers.get('x-request-id'))).toHaveLength(1);
    expect(join).toMatchObject({
      method: 'POST',
      path: '/v1/rooms/one-line/meeting',
      status: 200,
      platform: 'whereby',
      meeting_id: meeting.id,
      room_id: expect.any(String),
    });
    expect(join?.duration_ms).toEqual(expect.any(Number));
    expect(requestLines(delivered.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({
        status: 200,
        platform: 'whereby',
        meeting_id: meeting.id,
        event_id: event.id,
        type: 'room.client.joined',
        outcome: 'applied',
      }),
    ]);
    expect(requestLines(missing.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ status: 404, detail: 'The room was not found.' }),
    ]);
  });

  it("never carries a failed statement's parameters: its kind, its SQL's shape and D1's words instead", async () => {
    // The values drizzle puts in its error ("Failed query: <sql> params: <values>"): a user's
    // sub and a room's name here; a consent key or a token elsewhere.
    const sub = 'sub-who-must-not-be-logged-5b1e';
    const name = 'swordfish-91d3c7';
    const response = await requestWith(
      '/v1/rooms',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor(sub)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      },
      { ...env, DB: failingStatements() },
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: 'internal' });

    const [unhandled] = parsed().filter((line) => line.message === 'unhandled error');
    expect(unhandled).toMatchObject({
      level: 'error',
      request_id: response.headers.get('x-request-id'),
      error: {
        kind: 'd1-statement',
        sql: expect.stringMatching(/^insert into "rooms" \(.*\) values \(\?, \?/),
        message: D1_UNIQUE_FAILURE,
        param_count: expect.any(Number),
        stack: expect.any(Array),
      },
    });
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line).not.toContain(sub);
      expect(line).not.toContain(name);
      expect(line).not.toMatch(/params:/);
    }
  });

  it('keeps the parameters out even when a caller logs the error as text', () => {
    const failed = new DrizzleQueryError(
      'select "id" from "meeting_consent" where "consent_key" = ?',
      ['consent-key-6a0f2d'],
      new Error(D1_UNIQUE_FAILURE),
    );
    const link = 'https://rooms.whereby.com/x?roomKey=host-key-93ac&t=owner-token-1c2d';
    log('warn', 'something failed', {
      error: String(failed),
      stack: failed.stack,
      link,
      nested: { why: `Bearer secret-bearer-77aa ${link}` },
    });
    const [line] = lines;
    for (const secret of ['consent-key-6a0f2d', 'host-key-93ac', 'owner-token-1c2d', 'secret-bearer-77aa'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line!)).toMatchObject({
      error: expect.stringContaining('select "id" from "meeting_consent" where "consent_key" = ?'),
      link: 'https://rooms.whereby.com/x?…',
    });
  });

  it('says which statement failed when D1 does not answer a deep health check', async () => {
    const response = await requestWith('/v1/health?deep=1', {}, { ...env, DB: failingStatements() });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'unavailable' });
    expect(parsed().find((line) => line.message === 'health: D1 did not answer')).toMatchObject({
      error: { kind: 'd1-statement', sql: 'select 1', message: D1_UNIQUE_FAILURE },
    });
  });
});
