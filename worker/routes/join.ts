import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { malformed } from '../errors';
import { extendLease, stillInUse } from '../meetings/lease';
import { meetingLinks } from '../meetings/links';
import { noteOnRequestLog } from '../request-log';
import { errorResponses, json, SECURITY } from './docs';
import { meetingOfRoom } from './managed-meeting';
import { limitJoins } from './meetings';
import { MeetingSchema, toMeetingResponse } from './shapes';

// Joining one meeting by its id (SPEC §10, Reflector's rooms_join_meeting): the meeting with
// links of the caller's own. A signed-in person of a Daily meeting gets a meeting token naming
// them (their sub, their name), so everyone in the call is known by who they are.

export const joinRoutes = new OpenAPIHono<AppEnv>();

const ENDED = "This meeting is no longer active; join the room's current meeting instead.";

joinRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_name}/meetings/{meeting_id}/join',
    summary: 'Joins a meeting of the room: the meeting, with a Daily meeting token of the caller’s own',
    description:
      "A signed-in caller of a Daily meeting gets `room_url` with a meeting token naming them (`?t=`); the room's owner joins as its owner. Anonymous callers, and everyone on Whereby, get the plain room URL; the owner gets the host link. An occupied meeting past its end is still joinable: its lease is extended first (SPEC §9). 400 when the meeting is no longer active.",
    security: SECURITY.anyoneOrSignedIn,
    middleware: [limitJoins] as const,
    request: { params: z.object({ room_name: z.string(), meeting_id: z.string() }) },
    responses: {
      200: { description: 'the meeting, with the caller’s links', ...json(MeetingSchema) },
      ...errorResponses(400, 401, 404, 429, 502, 503),
    },
  }),
  async (c) => {
    const db = c.var.db;
    const { room_name, meeting_id } = c.req.valid('param');
    const { room, meeting: found } = await meetingOfRoom(c, room_name, meeting_id);
    noteOnRequestLog(c, { room_id: room.id, platform: found.platform, meeting_id: found.id });
    // Who asks comes first: a refused token must not have extended a lease on the way.
    const user = await c.var.auth.user();

    let meeting = found;
    const use = stillInUse(found, room, Date.now());
    if (use === 'ended') throw malformed(ENDED);
    if (use === 'extend') {
      // People are in it: the lease moves on before the token's exp is set from it.
      const extended = await extendLease(db, c.var.platforms, found, c.var.config.meetingLengthMs());
      if (!extended) throw malformed(ENDED);
      meeting = extended;
    }
    noteOnRequestLog(c, { user_id: user?.id ?? null });
    const links = await meetingLinks(meeting, room, user, c.var.platforms, 'signed-in');
    return c.json(toMeetingResponse(meeting, room, links), 200);
  },
);
