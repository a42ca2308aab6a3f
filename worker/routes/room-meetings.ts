import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { User } from '../auth';
import { retireMeeting } from '../db/meetings';
import { findRoomWithActiveMeeting } from '../db/rooms';
import type { Meeting, Room } from '../db/schema';
import { notFound } from '../errors';
import { joinVerdict } from '../meetings/lease';
import { meetingLinks } from '../meetings/links';
import { endingInBackground } from '../meetings/provider-end';
import { noteOnRequestLog } from '../request-log';
import { errorResponses, json, SECURITY } from './docs';
import { managedMeeting, meetingOfRoom } from './managed-meeting';
import { MeetingDeactivated, MeetingSchema, toMeetingResponse } from './shapes';

// A room's meetings as Reflector's frontend reads and ends them (SPEC §10): reads that never make
// a meeting, and the owner's end of one.

export const roomMeetingRoutes = new OpenAPIHono<AppEnv>();

/** The meeting as this caller sees it: the owner's links for the owner of an active one, the plain link otherwise. */
async function seenBy(c: Context<AppEnv>, meeting: Meeting, room: Room, user: User | null) {
  // An ended meeting's room is gone at the provider: no owner token is minted for it.
  const links = meeting.isActive
    ? await meetingLinks(meeting, room, user, c.var.platforms)
    : { roomUrl: meeting.roomUrl, hostRoomUrl: null };
  return toMeetingResponse(meeting, room, links);
}

roomMeetingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/{room_name}/meetings/active',
    summary: "The room's active meeting as a join would reuse it, in a list; empty when there is none (none is made)",
    security: SECURITY.anyoneOrSignedIn,
    request: { params: z.object({ room_name: z.string() }) },
    responses: {
      200: { description: 'the active meeting, or none', ...json(z.array(MeetingSchema)) },
      ...errorResponses(401, 404, 502, 503),
    },
  }),
  async (c) => {
    const found = await findRoomWithActiveMeeting(c.var.db, c.req.valid('param').room_name);
    if (!found) throw notFound('The room');
    const { room, meeting } = found;
    noteOnRequestLog(c, { room_id: room.id, meeting_id: meeting?.id ?? null });
    const user = await c.var.auth.user();
    // One the next join would retire (its settings changed, its lease over) is not the room's meeting any more.
    if (!meeting || joinVerdict(meeting, room, Date.now()) === 'retire') return c.json([], 200);
    return c.json([await seenBy(c, meeting, room, user)], 200);
  },
);

roomMeetingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/{room_name}/meetings/{meeting_id}',
    summary: 'One meeting of the room, active or not',
    security: SECURITY.anyoneOrSignedIn,
    request: { params: z.object({ room_name: z.string(), meeting_id: z.string() }) },
    responses: {
      200: { description: 'the meeting', ...json(MeetingSchema) },
      ...errorResponses(401, 404, 502, 503),
    },
  }),
  async (c) => {
    const { room_name, meeting_id } = c.req.valid('param');
    const { room, meeting } = await meetingOfRoom(c, room_name, meeting_id);
    noteOnRequestLog(c, { room_id: room.id, meeting_id: meeting.id });
    return c.json(await seenBy(c, meeting, room, await c.var.auth.user()), 200);
  },
);

roomMeetingRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/meetings/{meeting_id}/deactivate',
    summary: 'Ends the meeting here and at its provider (the room’s owner or an admin); the next join makes a new one',
    security: SECURITY.signedIn,
    request: { params: z.object({ meeting_id: z.string() }) },
    responses: {
      200: { description: 'ended, or it had ended already', ...json(MeetingDeactivated) },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const meeting = await managedMeeting(
      c,
      c.req.valid('param').meeting_id,
      'Only the room’s owner or an administrator may end its meeting.',
    );
    // The one retirement every path takes; a meeting that had ended already is left as it was.
    const retired = await retireMeeting(db, meeting.id);
    endingInBackground(c.executionCtx, db, c.var.platforms)(retired);
    return c.json({ status: 'success' as const, meeting_id: meeting.id }, 200);
  },
);
