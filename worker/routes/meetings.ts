import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { findMeetingById, recordConsent } from '../db/meetings';
import { findRoomWithActiveMeeting } from '../db/rooms';
import { notFound } from '../errors';
import { getOrCreateMeeting, isReusable } from '../meetings/get-or-create';
import { meetingLinks } from '../meetings/links';
import { noteOnRequestLog } from '../request-log';
import { readFlags } from '../rollout/flags';
import { errorResponses, json, SECURITY } from './docs';
import { ConsentInput, ConsentResult, MeetingSchema, toMeetingResponse } from './shapes';

export const meetingRoutes = new OpenAPIHono<AppEnv>();

meetingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_name}/meeting',
    summary: "The room's active meeting, created if there is none",
    security: SECURITY.anyoneOrSignedIn,
    request: { params: z.object({ room_name: z.string() }) },
    responses: { 200: { description: 'the meeting', ...json(MeetingSchema) }, ...errorResponses(401, 404, 502, 503) },
  }),
  async (c) => {
    const db = c.var.db;
    const settings = c.var.config;
    const name = c.req.valid('param').room_name;
    // The nearest replica serves the join of a meeting in progress (SPEC §14). Its answer is
    // trusted only when it is a meeting to reuse: a replica a moment behind may not know a room
    // or a meeting just created, so anything else (not found, a meeting to create or retire) is
    // read again at the primary, where the claims are.
    const nearby = await findRoomWithActiveMeeting(c.var.nearestDb, name);
    const reusable = nearby?.meeting && isReusable(nearby.meeting, nearby.room, Date.now());
    const found = reusable ? nearby : await findRoomWithActiveMeeting(db, name);
    if (!found) throw notFound('The room');
    const { room } = found;
    noteOnRequestLog(c, { room_id: room.id });

    // Who asks comes first: a refused token must not have made a meeting on the way.
    const user = await c.var.auth.user();
    const flags = async () => (await readFlags(c.env.FLAGS, settings.flagFallbacks())).flags;
    const meeting = await getOrCreateMeeting(db, c.var.platforms, room, flags, found.meeting);
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
    request: { params: z.object({ meeting_id: z.string() }), body: { required: true, ...json(ConsentInput) } },
    responses: { 200: { description: 'recorded', ...json(ConsentResult) }, ...errorResponses(400, 404, 422) },
  }),
  async (c) => {
    const db = c.var.db;
    const meeting = await findMeetingById(db, c.req.valid('param').meeting_id);
    if (!meeting) throw notFound('The meeting');
    noteOnRequestLog(c, { platform: meeting.platform, room_id: meeting.roomId, meeting_id: meeting.id });
    const user = await c.var.auth.user();
    const consentId = await recordConsent(db, meeting.id, user?.id ?? null, c.req.valid('json').consent_given);
    return c.json({ status: 'success' as const, consent_id: consentId }, 200);
  },
);
