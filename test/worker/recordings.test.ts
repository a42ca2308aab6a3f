import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailySignature, wherebyEvent } from '../../dev/provider-webhooks';
import { config } from '../../worker/config';
import worker from '../../worker/index';
import { breakers } from '../../worker/platforms/breaker-object';
import { platforms } from '../../worker/platforms/registry';
import { PART_SIZE } from '../../worker/recordings/part-plan';
import { sweepDeclinedAudio } from '../../worker/scheduled/consent-sweep';
import { reconcile } from '../../worker/scheduled/reconcile';
import { WEBHOOK_SECRETS } from '../servers';
import {
  ADMIN,
  call,
  createRoom,
  deliverCopy,
  directBucket,
  OWNER,
  objectBytes,
  requestWith,
  resetWorld,
  STRANGER,
  s3Proxy,
  servers,
  setFlags,
  standIn,
  tokenFor,
} from './helpers';
import { meetingOn, sendDaily, sendWhereby } from './webhook-helpers';

beforeEach(async () => {
  await resetWorld();
  await s3Proxy.reset();
});
afterEach(() => vi.restoreAllMocks());

/** The Worker's log lines of `level` from here on, parsed. */
function logLines(level: 'log' | 'warn' | 'error') {
  const spy = vi.spyOn(console, level);
  return () => spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
}

const HOUR = 3_600_000;
const recordingRow = (id: string) =>
  env.DB.prepare('SELECT * FROM recordings WHERE id = ?').bind(id).first<Record<string, any>>();

async function dailyFile(recordingId: string, size: number) {
  const control = `${servers.daily.origin}/__control/daily/files/${recordingId}`;
  await fetch(control, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size }),
  });
  return (await (await fetch(`${control}/sha256`)).json()) as { sha256: string; size: number };
}

/** A ready Daily recording of `size` bytes, with its row id and the source's hash. */
async function readyRecording(room: string, size: number) {
  const meeting = await meetingOn('daily', room);
  const recordingId = `rec-${room}`;
  const source = await dailyFile(recordingId, size);
  await sendDaily(
    dailyEvent('recording.ready-to-download', {
      type: 'cloud',
      recording_id: recordingId,
      room_name: meeting.roomName,
      start_ts: Date.UTC(2026, 10, 24, 10, 15, 2) / 1000,
      status: 'finished',
      max_participants: 2,
      duration: 1200,
      s3_key: `daily/${meeting.roomName}/1`,
    }),
  );
  const row = await env.DB.prepare('SELECT id, object_key FROM recordings WHERE platform_recording_id = ?')
    .bind(recordingId)
    .first<{ id: string; object_key: string }>();
  if (!row) throw new Error('no recording row');
  return { meeting, id: row.id, key: row.object_key, source };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Whether Daily still has the recording: its access link, asked as we would ask. */
const dailyHas = async (recordingId: string) => {
  const response = await fetch(`${servers.daily.apiUrl}/recordings/${recordingId}/access-link`, {
    headers: { authorization: `Bearer ${servers.daily.apiKey}` },
  });
  await response.body?.cancel();
  return response.status === 200;
};

/** Daily's DELETE /recordings/:id calls, as the stand-in logged them. */
const dailyDeletes = async () =>
  (await standIn.requests('daily'))
    .filter((request) => request.method === 'DELETE' && request.path.startsWith('/v1/recordings/'))
    .map((request) => request.path);

/** One run of the Cron Trigger, as Cloudflare fires it. */
async function cronRun() {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('copying a finished Daily recording into the bucket', () => {
  it('streams it in fixed-size parts; the object is byte for byte the source, under Whereby’s key layout', async () => {
    const { meeting, id, key, source } = await readyRecording('copy-happy', 2 * PART_SIZE + 12_345);
    expect(key).toBe(`${meeting.roomName}-2026-11-24T10:15:02Z.mp4`);

    const { result, dlq } = await deliverCopy(id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toEqual([]);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: source.size, error: null });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);

    const parts = (await s3Proxy.requests()).filter((request) => request.method === 'PUT' && request.query.partNumber);
    expect(parts.map((request) => request.query.partNumber).sort()).toEqual(['1', '2', '3']);
    const link = (await standIn.requests('daily')).find((request) => request.path.endsWith('/access-link'));
    expect(link?.path).toBe('/v1/recordings/rec-copy-happy/access-link');
  });

  it('has Daily delete its own copy once ours is stored', async () => {
    const { id } = await readyRecording('copy-daily-deleted', PART_SIZE + 1);
    expect(await dailyHas('rec-copy-daily-deleted')).toBe(true);
    await deliverCopy(id);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored' });
    expect(await dailyDeletes()).toEqual(['/v1/recordings/rec-copy-daily-deleted']);
    expect(await dailyHas('rec-copy-daily-deleted')).toBe(false);
  });

  it('stores the copy when Daily fails to delete its own, and the Cron deletes it later', async () => {
    const { id, key, source } = await readyRecording('copy-daily-kept', PART_SIZE + 1);
    await standIn.fault('daily', { method: 'DELETE', path: '^/v1/recordings/', status: 500, times: 3 });
    const warnings = logLines('warn');
    const { result, dlq } = await deliverCopy(id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toEqual([]);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: source.size, error: null });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);
    expect(await dailyHas('rec-copy-daily-kept')).toBe(true);
    expect(warnings()).toContainEqual(
      expect.objectContaining({
        message: "the provider's copy of the recording was not deleted; the Cron tries again",
        recording_id: id,
        error: expect.stringContaining('HTTP 500'),
      }),
    );

    await cronRun();
    expect(await dailyHas('rec-copy-daily-kept')).toBe(false);
    await cronRun();
    // Deleted once: the next run leaves it alone.
    expect(await dailyDeletes()).toEqual(Array(4).fill('/v1/recordings/rec-copy-daily-kept'));
  });

  it('does nothing for a repeated message of a stored recording', async () => {
    const { id } = await readyRecording('copy-repeat', PART_SIZE + 1);
    await deliverCopy(id);
    await s3Proxy.reset();
    const again = await deliverCopy(id);
    expect(again.result.explicitAcks).toHaveLength(1);
    expect(await s3Proxy.requests()).toEqual([]);
  });

  it('re-reads a part whose source failed mid-stream, with a Range request, and stores the whole', async () => {
    const { id, key, source } = await readyRecording('copy-cut', 2 * PART_SIZE + 99);
    await standIn.fault('daily', {
      path: '^/__files/recordings/',
      status: 206,
      cut_after_bytes: 1024 * 1024,
      times: 1,
    } as never);
    const { result } = await deliverCopy(id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: source.size });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);
  });

  it('retries a part the bucket answered 503, alone', async () => {
    const { id, key, source } = await readyRecording('copy-503', 2 * PART_SIZE + 7);
    await s3Proxy.fault({ method: 'PUT', path: 'partNumber=2', status: 503, times: 2 });
    await deliverCopy(id);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored' });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);
    // Parts go up side by side, so only the count of each part's attempts is certain.
    const parts = (await s3Proxy.requests()).filter((request) => request.method === 'PUT' && request.query.partNumber);
    expect(parts.map((request) => request.query.partNumber).sort()).toEqual(['1', '2', '2', '2', '3']);
  });

  it('gives up a failing attempt cleanly: upload aborted, reason kept, retried later, never stored', async () => {
    const { id, key } = await readyRecording('copy-500', PART_SIZE + 5);
    await s3Proxy.fault({ method: 'PUT', path: 'partNumber=2', status: 500, times: 100 });
    const first = await deliverCopy(id, 1);
    expect(first.result.retryMessages).toHaveLength(1);
    expect(first.dlq).toEqual([]);
    expect(await recordingRow(id)).toMatchObject({
      status: 'ready',
      error: expect.stringContaining('part 2 failed after 4 attempts'),
    });
    expect((await s3Proxy.requests()).some((request) => request.method === 'DELETE' && request.query.uploadId)).toBe(
      true,
    );

    const last = await deliverCopy(id, 4);
    expect(last.result.explicitAcks).toHaveLength(1);
    expect(last.dlq).toEqual([{ kind: 'copy-daily-recording', recordingId: id }]);
    expect(await recordingRow(id)).toMatchObject({ status: 'failed', error: expect.stringContaining('part 2') });
    expect(await objectBytes(key).catch(() => null)).toBeNull();
  });

  it('fails at once, to the dead-letter queue, when the bucket refuses the credentials', async () => {
    const { id } = await readyRecording('copy-403', PART_SIZE + 5);
    const { result, dlq } = await deliverCopy(id, 1, { RECORDING_S3_SECRET_ACCESS_KEY: 'wrong-secret' });
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/SignatureDoesNotMatch|AccessDenied|403/),
    });
  });

  it('fails when Daily no longer has the recording', async () => {
    const { id } = await readyRecording('copy-gone', PART_SIZE + 5);
    await standIn.fault('daily', {
      path: '/access-link$',
      status: 404,
      body: { error: 'not-found', info: 'no such recording' },
      times: 5,
    });
    const { dlq } = await deliverCopy(id, 1);
    expect(dlq).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no such recording'),
    });
  });
});

/** Daily records straight into our bucket through this role. */
const ROLE = { AWS_DAILY_ROLE_ARN: 'arn:aws:iam::123456789012:role/daily-recordings' };
const bucket = directBucket();
const PIPELINE = { authorization: 'Bearer test-pipeline-token' };

/** A Daily recording copied into the bucket, its meeting given these consent answers. */
async function storedRecording(room: string, answers: boolean[]) {
  const recording = await readyRecording(room, PART_SIZE + 1);
  await deliverCopy(recording.id);
  for (const consent_given of answers)
    await call('POST', `/v1/meetings/${recording.meeting.id}/consent`, { body: { consent_given } });
  return recording;
}

describe('the download link of a Daily recording', () => {
  /** Daily's next answers to access-link requests give this link instead of its own. */
  const linkAnswered = (link: string) =>
    standIn.fault('daily', {
      method: 'GET',
      path: '/access-link$',
      status: 200,
      body: { download_link: link, expires: Math.floor(Date.now() / 1000) + 3600 },
      times: 10,
    });
  /** The next requests of the download itself are redirected to `location`. */
  const redirected = (location: string) =>
    standIn.fault('daily', { path: '^/__files/recordings/.*expires=', status: 302, headers: { location }, times: 100 });
  const downloads = async () =>
    (await standIn.requests('daily')).filter((request) => request.path.startsWith('/__files/'));

  it('is taken only on https in production: an http link fails the copy for good, unread', async () => {
    const { id, key } = await readyRecording('link-http', PART_SIZE + 1);
    await linkAnswered(`http://files.stand-in.daily.co/__files/recordings/rec-link-http?expires=1`);
    const { result, dlq } = await deliverCopy(id, 1);
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('not an https address'),
    });
    expect(await downloads()).toEqual([]);
    expect(await objectBytes(key).catch(() => null)).toBeNull();
  });

  it('may be http in development, for the local stand-in', async () => {
    const { id, key, source } = await readyRecording('link-http-dev', PART_SIZE + 1);
    await linkAnswered(`http://files.stand-in.daily.co/__files/recordings/rec-link-http-dev?expires=1`);
    await deliverCopy(id, 1, { ENVIRONMENT: 'development' });
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: source.size });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);
  });

  it('is followed through a redirect on its own host', async () => {
    const { id, key, source } = await readyRecording('link-moved', 2 * PART_SIZE + 5);
    await redirected('/__files/recordings/rec-link-moved?moved=1');
    await deliverCopy(id, 1);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: source.size });
    expect(sha256(await objectBytes(key))).toBe(source.sha256);
    // Every read (the size, then each part) went by the redirect.
    const reads = await downloads();
    expect(reads.filter((request) => request.query.moved === '1')).toHaveLength(4);
    expect(reads.filter((request) => request.query.expires)).toHaveLength(4);
  });

  it('is never followed to another host: the copy fails for good, saying so', async () => {
    const { id, key } = await readyRecording('link-elsewhere', PART_SIZE + 1);
    await redirected('https://elsewhere.example/recording.mp4');
    const { dlq } = await deliverCopy(id, 1);
    expect(dlq).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('redirected to another host (elsewhere.example)'),
    });
    expect(await objectBytes(key).catch(() => null)).toBeNull();
  });

  it('is not followed round in circles', async () => {
    const { id } = await readyRecording('link-circles', PART_SIZE + 1);
    await redirected('/__files/recordings/rec-link-circles?expires=again');
    const { dlq } = await deliverCopy(id, 1);
    expect(dlq).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('redirected more than'),
    });
  });
});

describe('raw-tracks recordings', () => {
  const START = Date.UTC(2026, 10, 24, 11, 0, 0);
  const bytes = (size: number, fill: number) => new Uint8Array(size).fill(fill);

  /** A room recording raw tracks straight into our bucket, and its active meeting. */
  async function rawTracksMeeting(name: string) {
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, { name, platform: 'daily', raw_tracks: true });
    const joined = await requestWith(`/v1/rooms/${name}/meeting`, { method: 'POST' }, { ...env, ...ROLE });
    const meeting = (await joined.json()) as { id: string; room_name: string };
    return { ...meeting, prefix: `${meeting.room_name}-2026-11-24T11:00:00Z/` };
  }

  /** Daily wrote these files (source key → bytes) into our bucket and says the recording is ready: its row id. */
  async function tracksReady(meeting: { room_name: string }, recordingId: string, files: Record<string, Uint8Array>) {
    await Promise.all(Object.entries(files).map(([key, content]) => bucket.put(key, content)));
    const event = dailyEvent('recording.ready-to-download', {
      type: 'raw-tracks',
      recording_id: recordingId,
      room_name: meeting.room_name,
      start_ts: START / 1000,
      status: 'finished',
      duration: 60,
      tracks: Object.entries(files).map(([s3Key, content]) => ({ s3Key, type: 'cam-audio', size: content.length })),
    });
    const body = JSON.stringify(event);
    await requestWith(
      '/v1/daily/webhook',
      { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
      { ...env, ...ROLE, RECORDING_COPIES: { send: async () => undefined } as unknown as Queue },
    );
    const row = await env.DB.prepare('SELECT id FROM recordings WHERE platform_recording_id = ?')
      .bind(recordingId)
      .first<{ id: string }>();
    if (!row) throw new Error('no recording row');
    return row.id;
  }

  it('records each participant’s tracks, moves them under the recording’s key prefix and lists them', async () => {
    const meeting = await rawTracksMeeting('tracks');
    const [created] = (await standIn.requests('daily')).filter((request) => request.path === '/v1/rooms');
    expect(created?.body.properties).toMatchObject({
      enable_recording: 'raw-tracks',
      recordings_bucket: { assume_role_arn: ROLE.AWS_DAILY_ROLE_ARN },
    });

    // Daily writes the tracks into our bucket under its own keys.
    const sources = [
      `daily/${meeting.room_name}/1700-alice-cam-audio.webm`,
      `daily/${meeting.room_name}/1700-bob-cam-audio.webm`,
    ];
    const id = await tracksReady(meeting, 'rec-tracks', {
      [sources[0]!]: bytes(1000, 1),
      [sources[1]!]: bytes(1001, 2),
    });
    await deliverCopy(id, 1, ROLE);

    const { prefix } = meeting;
    const stored = await recordingRow(id);
    expect(stored).toMatchObject({ status: 'stored', object_key: prefix, size: 2001 });
    expect(JSON.parse(stored?.tracks)).toEqual(
      sources.map((source) => ({ key: `${prefix}${source.split('/').pop()}`, type: 'cam-audio', source_key: source })),
    );
    expect(await objectBytes(`${prefix}1700-bob-cam-audio.webm`)).toEqual(bytes(1001, 2));
    for (const source of sources) expect(await bucket.head(source)).toBeNull();

    // A "no" deletes every track once the pipeline has transcribed them.
    await call('POST', `/v1/meetings/${meeting.id}/consent`, { body: { consent_given: false } });
    expect(
      (
        await call('POST', `/v1/recordings/${id}/processed`, {
          headers: { authorization: 'Bearer test-pipeline-token' },
        })
      ).body?.status,
    ).toBe('deleted');
    expect(await bucket.head(`${prefix}1700-alice-cam-audio.webm`)).toBeNull();
  });

  it('keeps two participants’ tracks of the same file name as two files, each under its own folder', async () => {
    const meeting = await rawTracksMeeting('tracks-same-name');
    const alice = `daily/${meeting.room_name}/session-alice/audio.webm`;
    const bob = `daily/${meeting.room_name}/session-bob/audio.webm`;
    const id = await tracksReady(meeting, 'rec-same-name', { [alice]: bytes(1000, 1), [bob]: bytes(1500, 2) });
    await deliverCopy(id, 1, ROLE);

    const { prefix } = meeting;
    const stored = await recordingRow(id);
    expect(stored).toMatchObject({ status: 'stored', size: 2500 });
    expect(JSON.parse(stored?.tracks).map((track: { key: string }) => track.key)).toEqual([
      `${prefix}session-alice/audio.webm`,
      `${prefix}session-bob/audio.webm`,
    ]);
    expect(await objectBytes(`${prefix}session-alice/audio.webm`)).toEqual(bytes(1000, 1));
    expect(await objectBytes(`${prefix}session-bob/audio.webm`)).toEqual(bytes(1500, 2));
  });

  it('never deletes a source whose copy has another size: the source stays and the move is retried', async () => {
    const meeting = await rawTracksMeeting('tracks-short-copy');
    const alice = `daily/${meeting.room_name}/1700-alice-cam-audio.webm`;
    const bob = `daily/${meeting.room_name}/1700-bob-cam-audio.webm`;
    const id = await tracksReady(meeting, 'rec-short-copy', { [alice]: bytes(1000, 1), [bob]: bytes(1500, 2) });
    // The bucket says Bob's copy came out 5 bytes long (the destination's key ends in the prefix's "Z/").
    await s3Proxy.fault({
      method: 'HEAD',
      path: 'Z/1700-bob-cam-audio\\.webm$',
      status: 200,
      headers: { 'content-length': '5', etag: '"short"' },
      times: 100,
    });
    const first = await deliverCopy(id, 1, ROLE);
    expect(first.result.retryMessages).toHaveLength(1);
    expect(first.dlq).toEqual([]);
    expect(await recordingRow(id)).toMatchObject({
      status: 'ready',
      error: expect.stringContaining('1500'),
    });
    expect(await objectBytes(bob)).toEqual(bytes(1500, 2));

    // Once the bucket answers truly, the retry finishes the move.
    await s3Proxy.reset();
    await deliverCopy(id, 2, ROLE);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: 2500 });
    expect(await objectBytes(`${meeting.prefix}1700-bob-cam-audio.webm`)).toEqual(bytes(1500, 2));
    expect(await bucket.head(bob)).toBeNull();
  });

  it('replaces a cut-short copy left at a track’s destination before it deletes the source', async () => {
    const meeting = await rawTracksMeeting('tracks-stale-copy');
    const alice = `daily/${meeting.room_name}/1700-alice-cam-audio.webm`;
    // An earlier attempt left 5 bytes where Alice's track goes.
    await bucket.put(`${meeting.prefix}1700-alice-cam-audio.webm`, bytes(5, 9));
    const id = await tracksReady(meeting, 'rec-stale-copy', { [alice]: bytes(1000, 1) });
    await deliverCopy(id, 1, ROLE);
    expect(await recordingRow(id)).toMatchObject({ status: 'stored', size: 1000 });
    expect(await objectBytes(`${meeting.prefix}1700-alice-cam-audio.webm`)).toEqual(bytes(1000, 1));
    expect(await bucket.head(alice)).toBeNull();
  });

  it('records a composite instead when Daily cannot write into the bucket, and the call still starts', async () => {
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, { name: 'tracks-no-role', platform: 'daily', raw_tracks: true });
    expect((await call('POST', '/v1/rooms/tracks-no-role/meeting')).status).toBe(200);
    const [created] = (await standIn.requests('daily')).filter((request) => request.path === '/v1/rooms');
    expect(created?.body.properties.enable_recording).toBe('cloud');
  });
});

// The pipeline reports a recording transcribed; the audio of a meeting in which someone said no goes.
describe('POST /v1/recordings/{recording_id}/processed', () => {
  describe('happy path', () => {
    it('deletes the audio of a meeting in which someone said no', async () => {
      const { id, key } = await storedRecording('consent-no', [true, false]);
      const response = await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE });
      expect(response).toMatchObject({ status: 200, body: { recording_id: id, status: 'deleted' } });
      expect(await recordingRow(id)).toMatchObject({ status: 'deleted' });
      expect(await objectBytes(key).catch(() => null)).toBeNull();
      expect(
        (await s3Proxy.requests()).some(
          (request) =>
            request.method === 'DELETE' && request.path.endsWith(encodeURIComponent(key).replace(/%2F/g, '/')),
        ),
      ).toBe(true);
    });

    it.each([
      ['everyone said yes', [true, true]],
      ['nobody answered', []],
    ])('keeps the audio when %s', async (_, answers) => {
      const { id, key, source } = await storedRecording(`consent-${answers.length}`, answers);
      const response = await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE });
      expect(response.body).toEqual({ recording_id: id, status: 'kept' });
      expect(sha256(await objectBytes(key))).toBe(source.sha256);
    });

    it('has Daily delete its copy of declined audio too, where it still kept one', async () => {
      const recording = await readyRecording('consent-daily-copy', PART_SIZE + 1);
      await standIn.fault('daily', { method: 'DELETE', path: '^/v1/recordings/', status: 500, times: 3 });
      await deliverCopy(recording.id);
      expect(await dailyHas('rec-consent-daily-copy')).toBe(true);
      await call('POST', `/v1/meetings/${recording.meeting.id}/consent`, { body: { consent_given: false } });

      const response = await call('POST', `/v1/recordings/${recording.id}/processed`, { headers: PIPELINE });
      expect(response.body).toEqual({ recording_id: recording.id, status: 'deleted' });
      expect(await objectBytes(recording.key).catch(() => null)).toBeNull();
      expect(await dailyHas('rec-consent-daily-copy')).toBe(false);
    });
  });

  describe('error cases', () => {
    it('never marks deleted when the delete fails, and succeeds when reported again', async () => {
      const { id } = await storedRecording('consent-retry', [false]);
      await s3Proxy.fault({ method: 'DELETE', path: '.', status: 500, times: 1 });
      const failed = await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(await recordingRow(id)).toMatchObject({ status: 'stored' });
      expect((await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE })).body?.status).toBe(
        'deleted',
      );
    });
  });

  describe('security', () => {
    it('requires the pipeline token', async () => {
      const { id } = await storedRecording('consent-token', [false]);
      expect((await call('POST', `/v1/recordings/${id}/processed`)).status).toBe(401);
      expect(
        (await call('POST', `/v1/recordings/${id}/processed`, { headers: { authorization: 'Bearer nope' } })).status,
      ).toBe(401);
      expect((await call('POST', `/v1/recordings/${id}/processed`, { token: await tokenFor(ADMIN) })).status).toBe(401);
      expect(await recordingRow(id)).toMatchObject({ status: 'stored' });
      expect((await call('POST', '/v1/recordings/unknown/processed', { headers: PIPELINE })).status).toBe(404);
    });
  });
});

describe('the consent sweep (Cron)', () => {
  it('sweeps the declined audio older than 72 hours even without a report', async () => {
    const old = await storedRecording('sweep-old', [false]);
    const fresh = await storedRecording('sweep-fresh', [false]);
    const agreed = await storedRecording('sweep-agreed', [true]);
    await env.DB.prepare('UPDATE recordings SET created_at = ? WHERE id IN (?, ?)')
      .bind(Date.now() - 73 * HOUR, old.id, agreed.id)
      .run();
    await env.DB.prepare('UPDATE recordings SET created_at = ? WHERE id = ?')
      .bind(Date.now() - 71 * HOUR, fresh.id)
      .run();
    expect(
      await sweepDeclinedAudio(
        env,
        platforms(config(env), () => {}, breakers(env.BREAKERS)),
      ),
    ).toEqual({ deleted: 1, failed: 0 });
    expect(await recordingRow(old.id)).toMatchObject({ status: 'deleted' });
    expect(await recordingRow(fresh.id)).toMatchObject({ status: 'stored' });
    expect(await recordingRow(agreed.id)).toMatchObject({ status: 'stored' });
  });
});

describe('a declined recording that is not stored yet', () => {
  const uploads = async () =>
    (await s3Proxy.requests()).filter((request) => request.method === 'POST' && 'uploads' in request.query);

  it('is marked due for deletion, not deleted, and the copy then never keeps it', async () => {
    const { meeting, id, key } = await readyRecording('due-ready', PART_SIZE + 1);
    await call('POST', `/v1/meetings/${meeting.id}/consent`, { body: { consent_given: false } });

    const response = await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE });
    expect(response).toMatchObject({ status: 200, body: { recording_id: id, status: 'deletion-due' } });
    expect(await recordingRow(id)).toMatchObject({ status: 'ready' });

    const { result, dlq } = await deliverCopy(id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toEqual([]);
    expect(await recordingRow(id)).toMatchObject({ status: 'deleted' });
    expect(await objectBytes(key).catch(() => null)).toBeNull();
    expect(await uploads()).toEqual([]);
    expect(await dailyHas('rec-due-ready')).toBe(false);
  });

  it('is deleted once a copy already under way has stored it', async () => {
    const { meeting, id, key } = await readyRecording('due-copying', 2 * PART_SIZE + 1);
    await call('POST', `/v1/meetings/${meeting.id}/consent`, { body: { consent_given: false } });
    // The download's first answer takes a while: the report comes in while the copy runs.
    await standIn.fault('daily', { path: '^/__files/recordings/', cut_after_bytes: 2 ** 40, delay_ms: 1500 });
    const copying = deliverCopy(id);
    for (let tries = 0; !(await standIn.requests('daily')).some((r) => r.path.startsWith('/__files/')); tries++) {
      if (tries > 100) throw new Error('the copy never started its download');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const response = await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE });
    expect(response.body).toEqual({ recording_id: id, status: 'deletion-due' });

    const { result, dlq } = await copying;
    expect(result.explicitAcks).toHaveLength(1);
    expect(dlq).toEqual([]);
    // The copy did finish its upload, and then deleted what it had stored.
    expect(await uploads()).toHaveLength(1);
    expect(await recordingRow(id)).toMatchObject({ status: 'deleted' });
    expect(await objectBytes(key).catch(() => null)).toBeNull();
    expect(await dailyHas('rec-due-copying')).toBe(false);
  });

  it('is deleted when Daily writes it into our bucket after its deletion was due', async () => {
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, { name: 'due-in-bucket', platform: 'daily' });
    const joined = await requestWith('/v1/rooms/due-in-bucket/meeting', { method: 'POST' }, { ...env, ...ROLE });
    const meeting = (await joined.json()) as { id: string; room_name: string };
    const start = Math.floor(Date.now() / 1000) - 60;
    await sendDaily(
      dailyEvent('recording.started', { recording_id: 'rec-in-bucket', room_name: meeting.room_name, start_ts: start }),
    );
    const row = await env.DB.prepare("SELECT id FROM recordings WHERE platform_recording_id = 'rec-in-bucket'").first<{
      id: string;
    }>();
    const id = row!.id;
    await call('POST', `/v1/meetings/${meeting.id}/consent`, { body: { consent_given: false } });
    expect((await call('POST', `/v1/recordings/${id}/processed`, { headers: PIPELINE })).body).toEqual({
      recording_id: id,
      status: 'deletion-due',
    });
    expect(await recordingRow(id)).toMatchObject({ status: 'recording' });

    // Daily writes the finished recording into our bucket, then says so.
    const key = `daily/${meeting.room_name}/rec-in-bucket.mp4`;
    await bucket.put(key, new Uint8Array(4096).fill(7));
    const sent: unknown[] = [];
    const body = JSON.stringify(
      dailyEvent('recording.ready-to-download', {
        type: 'cloud',
        recording_id: 'rec-in-bucket',
        room_name: meeting.room_name,
        start_ts: start,
        status: 'finished',
        duration: 60,
        s3_key: key,
      }),
    );
    await requestWith(
      '/v1/daily/webhook',
      { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
      {
        ...env,
        ...ROLE,
        RECORDING_COPIES: { send: async (message: unknown) => void sent.push(message) } as unknown as Queue,
      },
    );
    // It is still to be moved to Whereby's key layout: that move is what deletes it.
    expect(sent).toEqual([{ kind: 'copy-daily-recording', recordingId: id }]);
    expect(await recordingRow(id)).toMatchObject({ status: 'ready' });
    // Were that message lost, the Cron sends it again a quarter of an hour on.
    await env.DB.prepare('UPDATE recordings SET updated_at = ? WHERE id = ?')
      .bind(Date.now() - 16 * 60_000, id)
      .run();
    const resent: unknown[] = [];
    const queue = { send: async (message: unknown) => void resent.push(message) } as unknown as Queue;
    await reconcile(
      { ...env, RECORDING_COPIES: queue },
      platforms(config(env), () => {}, breakers(env.BREAKERS)),
    );
    expect(resent).toEqual([{ kind: 'copy-daily-recording', recordingId: id }]);

    await deliverCopy(id, 1, ROLE);
    expect(await recordingRow(id)).toMatchObject({ status: 'deleted' });
    expect(await bucket.head(key)).toBeNull();
  });

  it('is deleted at once when it is a Whereby recording, which arrives stored', async () => {
    const whereby = await meetingOn('whereby', 'due-whereby');
    const key = `${whereby.roomName}-2026-11-24T10:15:02Z.mp4`;
    await bucket.put(key, new Uint8Array(2048).fill(3));
    await sendWhereby(
      wherebyEvent('recording.finished', {
        recordingId: 'w-due',
        filename: key,
        roomName: `/${whereby.roomName}`,
        status: 'completed',
      }),
    );
    const row = await env.DB.prepare("SELECT id FROM recordings WHERE platform_recording_id = 'w-due'").first<{
      id: string;
    }>();
    await call('POST', `/v1/meetings/${whereby.id}/consent`, { body: { consent_given: false } });
    const response = await call('POST', `/v1/recordings/${row!.id}/processed`, { headers: PIPELINE });
    expect(response.body).toEqual({ recording_id: row!.id, status: 'deleted' });
    expect(await bucket.head(key)).toBeNull();
  });
});

describe('GET /v1/meetings/{meeting_id}/recordings', () => {
  describe('happy path', () => {
    it('lists the meeting’s recordings for the room’s owner, with a download link valid at most 15 minutes', async () => {
      const { meeting, id, source } = await readyRecording('listed', PART_SIZE + 3);
      await deliverCopy(id);
      const response = await call('GET', `/v1/meetings/${meeting.id}/recordings`, { token: await tokenFor(OWNER) });
      expect(response.status).toBe(200);
      const [item] = (response.body as Record<string, any>).items;
      expect(item).toMatchObject({ id, status: 'stored', platform: 'daily', size: source.size, duration: 1200 });
      const url = new URL(item.download_url);
      expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
      const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
      expect(sha256(downloaded)).toBe(source.sha256);
    });

    it('includes Whereby’s recordings, and gives no link to what is not stored', async () => {
      const whereby = await meetingOn('whereby', 'listed-whereby');
      await sendWhereby(
        wherebyEvent('recording.finished', {
          recordingId: 'w',
          filename: `${whereby.roomName}-x.mp4`,
          roomName: `/${whereby.roomName}`,
          status: 'completed',
        }),
      );
      const listed = await call('GET', `/v1/meetings/${whereby.id}/recordings`, { token: await tokenFor(ADMIN) });
      expect(listed.body?.items).toMatchObject([
        { platform: 'whereby', status: 'stored', object_key: `${whereby.roomName}-x.mp4` },
      ]);
    });
  });

  describe('security', () => {
    // Beyond route-security.test.ts: an administrator may, and an unknown meeting is not found.
    it('is for the room’s owner and admins only', async () => {
      const meeting = await meetingOn('daily', 'listed-private');
      expect((await call('GET', `/v1/meetings/${meeting.id}/recordings`)).status).toBe(401);
      expect(
        (await call('GET', `/v1/meetings/${meeting.id}/recordings`, { token: await tokenFor(STRANGER) })).status,
      ).toBe(403);
      expect(
        (await call('GET', `/v1/meetings/${meeting.id}/recordings`, { token: await tokenFor(ADMIN) })).status,
      ).toBe(200);
      expect((await call('GET', '/v1/meetings/nope/recordings', { token: await tokenFor(ADMIN) })).status).toBe(404);
    });
  });
});
