import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { findMeetingById } from '../db/meetings';
import { findRoomById } from '../db/rooms';
import { conflict, malformed, notFound } from '../errors';
import { stillInUse } from '../meetings/lease';
import { noteOnRequestLog } from '../request-log';
import { errorResponses, json } from './docs';
import { limitAnswers } from './meetings';

// A participant starts a recording (SPEC §10, Reflector's start_recording): the composite and
// the raw tracks each run under an instance id of their own, so both may go at once. Anyone may
// ask, as in Reflector (its frontend asks from every participant's browser): a second start of
// a running instance is an answer, not an error.

export const recordingStartRoutes = new OpenAPIHono<AppEnv>();

const RecordingStartInput = z
  .object({
    type: z
      .enum(['cloud', 'raw-tracks'])
      .openapi({ description: 'a composite video, or a file per participant track' }),
    instanceId: z
      .uuid()
      .openapi({ description: 'the recording instance: one per type, the same from every participant' }),
  })
  .strict()
  .openapi('RecordingStartInput');

const RecordingStarted = z
  .object({
    status: z.enum(['ok', 'already_active']).openapi({
      description: '`already_active`: this instance was recording already (another participant started it)',
    }),
    type: z.enum(['cloud', 'raw-tracks']),
    instanceId: z.string(),
  })
  .openapi('RecordingStarted');

recordingStartRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/meetings/{meeting_id}/recordings/start',
    summary: 'Starts a recording of a Daily meeting under its instance id',
    description:
      'Anyone may ask (as in Reflector); rate-limited per client IP and meeting. 400 for a Whereby meeting (Whereby records on its own trigger), 409 for a meeting no longer active.',
    security: [],
    middleware: [limitAnswers] as const,
    request: {
      params: z.object({ meeting_id: z.string() }),
      body: { required: true, ...json(RecordingStartInput) },
    },
    responses: {
      200: { description: 'started, or running already', ...json(RecordingStarted) },
      ...errorResponses(400, 404, 409, 422, 429, 502, 503),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const meeting = await findMeetingById(db, c.req.valid('param').meeting_id);
    if (!meeting) throw notFound('The meeting');
    noteOnRequestLog(c, { platform: meeting.platform, room_id: meeting.roomId, meeting_id: meeting.id });
    const provider = c.var.platforms(meeting.platform);
    if (!provider.startRecording)
      throw malformed(`A ${meeting.platform} meeting records on its room's trigger; it cannot be started here.`);
    const room = meeting.roomId ? await findRoomById(db, meeting.roomId) : undefined;
    if (!room || stillInUse(meeting, room, Date.now()) === 'ended')
      throw conflict('This meeting is no longer active; nothing can be recorded in it.');

    const instance = c.req.valid('json');
    const started = await provider.startRecording(meeting, instance);
    return c.json({ status: started === 'started' ? 'ok' : 'already_active', ...instance } as const, 200);
  },
);
