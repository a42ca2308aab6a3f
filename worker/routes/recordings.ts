import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerAuth } from 'hono/bearer-auth';
import { PLATFORMS, RECORDING_TRIGGERS, RECORDING_TYPES, ROOM_MODES } from '../../domain/rooms';
import type { AppEnv } from '../app-env';
import { findRecordingById, markDeletionDue, recordingsOfMeeting } from '../db/recordings';
import { RECORDING_STATUSES } from '../db/schema';
import { notFound, unauthenticated } from '../errors';
import { anyoneDeclined, deleteAudio } from '../recordings/consent';
import { s3Bucket } from '../recordings/s3';
import { noteOnRequestLog } from '../request-log';
import { lookupBody } from '../room-webhooks/payloads';
import { errorResponses, json, SECURITY } from './docs';
import { managedMeeting } from './managed-meeting';

export const recordingRoutes = new OpenAPIHono<AppEnv>();

/** Download links are short-lived: SPEC §6 allows 15 minutes at most. */
const DOWNLOAD_LINK_SECONDS = 15 * 60;

const RecordingSchema = z
  .object({
    id: z.string(),
    meeting_id: z.string().nullable(),
    platform: z.enum(PLATFORMS),
    status: z.enum(RECORDING_STATUSES),
    object_key: z.string().nullable(),
    size: z.number().int().nullable(),
    duration: z.number().int().nullable().openapi({ description: 'seconds' }),
    error: z.string().nullable(),
    created_at: z.string(),
    download_url: z
      .string()
      .nullable()
      .openapi({ description: 'presigned, valid 15 minutes; only for stored recordings' }),
  })
  .openapi('Recording');

recordingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/meetings/{meeting_id}/recordings',
    summary: "The meeting's recordings, with short-lived download links",
    security: SECURITY.signedIn,
    request: { params: z.object({ meeting_id: z.string() }) },
    responses: {
      200: { description: 'the recordings', ...json(z.object({ items: z.array(RecordingSchema) })) },
      ...errorResponses(401, 403, 404, 503),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const meeting = await managedMeeting(
      c,
      c.req.valid('param').meeting_id,
      "Only the room's owner or an administrator may see its recordings.",
    );

    const rows = await recordingsOfMeeting(db, meeting.id);
    const bucket = rows.some((row) => row.status === 'stored') ? s3Bucket(c.var.config.bucket()) : undefined;
    const items = await Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        meeting_id: row.meetingId,
        platform: row.platform,
        status: row.status,
        object_key: row.objectKey,
        size: row.size,
        duration: row.duration,
        error: row.error,
        created_at: new Date(row.createdAt).toISOString(),
        download_url:
          bucket && row.status === 'stored' && row.objectKey
            ? await bucket.presignGet(row.objectKey, DOWNLOAD_LINK_SECONDS)
            : null,
      })),
    );
    return c.json({ items }, 200);
  },
);

const Processed = z
  .object({
    recording_id: z.string(),
    status: z.enum(['deleted', 'deletion-due', 'kept']).openapi({
      description:
        'deleted: someone in the meeting declined, and its audio is gone; deletion-due: someone declined and the recording is not stored yet: it is deleted as soon as it lands, never kept',
    }),
  })
  .openapi('RecordingProcessed');

/** Whether two secrets are equal, in constant time. */
async function sameSecret(given: string, token: string): Promise<boolean> {
  // Digests first: timingSafeEqual wants equal lengths, and the length must not leak either.
  const digest = (text: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const [a, b] = await Promise.all([digest(given), digest(token)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Every way of not being the pipeline (no header, not a bearer token, the wrong token) is one 401. */
const notThePipeline = (): never => {
  throw unauthenticated('Only the transcription pipeline may report (PIPELINE_TOKEN).');
};

const pipelineOnly = bearerAuth<AppEnv>({
  // A missing PIPELINE_TOKEN throws its ConfigError from here: 503, naming the setting.
  verifyToken: (token, c) => sameSecret(token, c.var.config.pipelineToken()),
  noAuthenticationHeader: { message: notThePipeline },
  invalidAuthenticationHeader: { message: notThePipeline },
  invalidToken: { message: notThePipeline },
});

recordingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/recordings/{recording_id}/processed',
    summary:
      "The pipeline has transcribed the recording: the audio of a meeting with a 'no' is deleted (or, not stored yet, never kept)",
    security: SECURITY.pipeline,
    middleware: [pipelineOnly] as const,
    request: { params: z.object({ recording_id: z.string() }) },
    responses: { 200: { description: 'done', ...json(Processed) }, ...errorResponses(401, 404, 502, 503) },
  }),
  async (c) => {
    const { db, config: settings } = c.var;
    const recording = await findRecordingById(db, c.req.valid('param').recording_id);
    if (!recording) throw notFound('The recording');
    noteOnRequestLog(c, { platform: recording.platform, meeting_id: recording.meetingId, recording_id: recording.id });

    const recording_id = recording.id;
    if (recording.status === 'deleted') return c.json({ recording_id, status: 'deleted' as const }, 200);
    if (!(await anyoneDeclined(db, recording.meetingId))) return c.json({ recording_id, status: 'kept' as const }, 200);
    // Only stored objects are deleted here: one still to land (a copy may be running) has its
    // deletion marked due, and the copy deletes it instead of storing it (recordings/consumer.ts).
    let current: typeof recording | undefined = recording;
    if (recording.status === 'recording' || recording.status === 'ready') {
      if (await markDeletionDue(db, recording.id)) {
        noteOnRequestLog(c, { outcome: 'declined audio deletion due', key: recording.objectKey });
        return c.json({ recording_id, status: 'deletion-due' as const }, 200);
      }
      // It landed between the two reads.
      current = await findRecordingById(db, recording.id);
      if (!current || current.status === 'deleted') return c.json({ recording_id, status: 'deleted' as const }, 200);
    }
    await deleteAudio(db, s3Bucket(settings.bucket()), c.var.platforms, current);
    noteOnRequestLog(c, { outcome: 'declined audio deleted', key: current.objectKey });
    return c.json({ recording_id, status: 'deleted' as const }, 200);
  },
);

/** S3's longest key, in characters (1024 bytes at most; no key of ours is anywhere near). */
const MAX_OBJECT_KEY = 1024;

const LookupQuery = z.object({
  object_key: z
    .string()
    .min(1)
    .max(MAX_OBJECT_KEY)
    .openapi({ param: { in: 'query' }, description: 'the key of an object seen in the recordings bucket' }),
});

const RecordingStoredEvent = z
  .object({
    event: z.literal('recording.stored'),
    event_id: z.string().nullable(),
    timestamp: z.string(),
    room: z.object({ id: z.string(), name: z.string() }),
    recording: z.object({
      id: z.string(),
      platform: z.enum(PLATFORMS),
      object_key: z.string().nullable(),
      bucket: z.string().nullable(),
      size: z.number().int().nullable().openapi({ description: 'bytes' }),
      duration: z.number().int().nullable().openapi({ description: 'seconds' }),
      start_ts: z.number().int().nullable().openapi({ description: 'unix seconds' }),
    }),
    consent: z.object({
      asked: z
        .boolean()
        .openapi({ description: "the meeting asked for consent: cloud-recorded, in a room that doesn't skip it" }),
      any_declined: z.boolean().openapi({ description: 'someone answered no: the audio is deleted once transcribed' }),
    }),
    meeting: z.object({
      id: z.string(),
      room_name: z.string().openapi({ description: "the provider's room name" }),
      platform: z.enum(PLATFORMS),
      start_date: z.string(),
      end_date: z.string(),
      ended_at: z.string().nullable(),
      is_locked: z.boolean(),
      room_mode: z.enum(ROOM_MODES),
      recording_type: z.enum(RECORDING_TYPES),
      recording_trigger: z.enum(RECORDING_TRIGGERS),
      failover_from: z.enum(PLATFORMS).nullable(),
    }),
  })
  .openapi('RecordingStoredEvent');

recordingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/recordings/lookup',
    summary:
      'The recording.stored body of the recording at that object key: its room, meeting and consent, for the pipeline (SPEC §11)',
    security: SECURITY.pipeline,
    middleware: [pipelineOnly] as const,
    request: { query: LookupQuery },
    responses: {
      200: {
        description: 'the body a room webhook receives as recording.stored; event_id null when none was sent',
        ...json(RecordingStoredEvent),
      },
      ...errorResponses(401, 404, 422, 503),
    },
  }),
  async (c) => {
    const body = await lookupBody(c.var.db, c.var.config, c.req.valid('query').object_key);
    if (!body) throw notFound('A recording at that object key');
    noteOnRequestLog(c, { recording_id: body.recording.id, meeting_id: body.meeting.id });
    return c.json(body, 200);
  },
);
