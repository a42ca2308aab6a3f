import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { type ConsentAnswerer, findMeetingById, recordConsent } from '../db/meetings';
import { findRoomWithActiveMeeting } from '../db/rooms';
import { conflict, notFound } from '../errors';
import { takesAnswers } from '../meetings/consent-window';
import { getOrCreateMeeting } from '../meetings/get-or-create';
import { joinVerdict } from '../meetings/lease';
import { meetingLinks } from '../meetings/links';
import { endingInBackground } from '../meetings/provider-end';
import { keyPart, limitedBy, roomKeyPart } from '../rate-limits';
import { noteOnRequestLog } from '../request-log';
import { readFlags } from '../rollout/flags';
import { errorResponses, json, SECURITY } from './docs';
import { ConsentInput, ConsentResult, JoinInput, MeetingSchema, toMeetingResponse } from './shapes';

export const meetingRoutes = new OpenAPIHono<AppEnv>();

// Per client IP and room, and per client IP and meeting (SPEC §14): an office behind one address
// can join many rooms at once; one client hammering one room is held back.
export const limitJoins = limitedBy(
  'RATE_LIMIT_MEETINGS',
  (c) => `room:${roomKeyPart(c.req.param('room_name') ?? '')}`,
  'Too many joins of this room from your address; wait a minute, then try again.',
);
export const limitAnswers = limitedBy(
  'RATE_LIMIT_ANSWERS',
  (c) => `meeting:${keyPart(c.req.param('meeting_id') ?? '')}`,
  'Too many answers for this meeting from your address; wait a minute, then try again.',
);

meetingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_name}/meeting',
    summary: "The room's active meeting, created if there is none",
    security: SECURITY.anyoneOrSignedIn,
    middleware: [limitJoins] as const,
    request: { params: z.object({ room_name: z.string() }), body: { required: false, ...json(JoinInput) } },
    responses: {
      200: { description: 'the meeting', ...json(MeetingSchema) },
      ...errorResponses(401, 404, 422, 429, 502, 503),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const settings = c.var.config;
    const name = c.req.valid('param').room_name;
    // The nearest replica serves the join of a meeting in progress (SPEC §14). Its answer is
    // trusted only when it is a meeting to reuse: a replica a moment behind may not know a room
    // or a meeting just created, so anything else (not found, a meeting to create, extend or retire) is
    // read again at the primary, where the claims are.
    const nearby = await findRoomWithActiveMeeting(c.var.nearestDb, name);
    const reusable = nearby?.meeting && joinVerdict(nearby.meeting, nearby.room, Date.now()) === 'reuse';
    const found = reusable ? nearby : await findRoomWithActiveMeeting(db, name);
    if (!found) throw notFound('The room');
    const { room } = found;
    noteOnRequestLog(c, { room_id: room.id });

    // Who asks comes first: a refused token must not have made a meeting on the way.
    const user = await c.var.auth.user();
    const flags = async () => (await readFlags(c.env.FLAGS, settings.flagFallbacks())).flags;
    const joining = {
      db,
      platforms: c.var.platforms,
      flags,
      meetingLengthMs: settings.meetingLengthMs,
      endInBackground: endingInBackground(c.executionCtx, db, c.var.platforms),
    };
    const meeting = await getOrCreateMeeting(joining, room, found.meeting);
    noteOnRequestLog(c, { platform: meeting.platform, meeting_id: meeting.id, user_id: user?.id ?? null });
    const links = await meetingLinks(meeting, room, user, c.var.platforms);
    return c.json(toMeetingResponse(meeting, room, links), 200);
  },
);

meetingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/meetings/{meeting_id}/consent',
    summary: "Records one participant's answer to the recording-consent question",
    security: SECURITY.anyoneOrSignedIn,
    middleware: [limitAnswers] as const,
    request: { params: z.object({ meeting_id: z.string() }), body: { required: true, ...json(ConsentInput) } },
    responses: {
      200: { description: 'recorded: the answerer’s one answer to this meeting', ...json(ConsentResult) },
      ...errorResponses(400, 401, 404, 409, 422, 429, 503),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const meeting = await findMeetingById(db, c.req.valid('param').meeting_id);
    if (!meeting) throw notFound('The meeting');
    noteOnRequestLog(c, { platform: meeting.platform, room_id: meeting.roomId, meeting_id: meeting.id });
    const user = await c.var.auth.user();
    if (!takesAnswers(meeting))
      throw conflict('This meeting ended more than an hour ago; it takes no more recording-consent answers.');
    const { consent_given, consent_key } = c.req.valid('json');
    // A person is their sub; a guest their browser's key; a guest without one (Reflector's clients)
    // shares the keyless guests' row of that answer.
    const answerer: ConsentAnswerer = user
      ? { userId: user.id }
      : consent_key
        ? { consentKey: consent_key }
        : 'keyless guest';
    const consentId = await recordConsent(db, meeting.id, answerer, consent_given);
    return c.json({ status: 'success' as const, consent_id: consentId }, 200);
  },
);
