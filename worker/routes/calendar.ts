import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { findRoomByName } from '../db/rooms';
import type { Room } from '../db/schema';
import { forbidden, malformed, notFound } from '../errors';
import { errorResponses, json, SECURITY } from './docs';

// Calendar sync is not part of this service (SPEC §10): no room has a calendar, so it has no
// calendar events. Reflector's frontend still asks for them on every room page, and these answers
// are what Reflector itself gives a room without a calendar, so that its pages work unchanged.

export const calendarRoutes = new OpenAPIHono<AppEnv>();

const RoomName = z.object({ room_name: z.string() });

const NoEvents = z
  .array(z.object({ id: z.string() }))
  .max(0)
  .openapi('CalendarEvents', {
    description: "always empty: rooms have no calendar here (Reflector's CalendarEventResponse list)",
  });

const CalendarStatus = z
  .object({
    status: z.literal('disabled'),
    last_sync: z.null(),
    next_sync: z.null(),
    last_etag: z.null(),
    events_count: z.literal(0),
  })
  .openapi('CalendarStatus', { description: "Reflector's ICSStatus of a room without a calendar" });

async function roomNamed(c: { var: AppEnv['Variables'] }, name: string): Promise<Room> {
  const room = await findRoomByName(c.var.db, name);
  if (!room) throw notFound('The room');
  return room;
}

/** Reflector shows a room's calendar settings to its owner only; administrators too, here. */
async function ownersRoom(c: { var: AppEnv['Variables'] }, name: string): Promise<Room> {
  const room = await roomNamed(c, name);
  const user = await c.var.auth.requireUser();
  if (room.userId !== user.id && !user.isAdmin) throw forbidden('Only the room’s owner may see its calendar.');
  return room;
}

for (const [path, summary] of [
  ['/rooms/{room_name}/meetings', "The room's calendar events: none, as rooms have no calendar here"],
  ['/rooms/{room_name}/meetings/upcoming', "The room's upcoming calendar events: none"],
] as const)
  calendarRoutes.openapi(
    createRoute({
      method: 'get',
      path,
      summary,
      security: SECURITY.anyoneOrSignedIn,
      request: {
        params: RoomName,
        // Reflector's own query; any number of minutes finds nothing.
        query: z.object({ minutes_ahead: z.coerce.number().int().optional() }),
      },
      responses: { 200: { description: 'no events', ...json(NoEvents) }, ...errorResponses(404, 422) },
    }),
    async (c) => {
      await roomNamed(c, c.req.valid('param').room_name);
      return c.json([] as never[], 200);
    },
  );

calendarRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/{room_name}/ics/status',
    summary: "The room's calendar sync: always disabled",
    security: SECURITY.signedIn,
    request: { params: RoomName },
    responses: { 200: { description: 'disabled', ...json(CalendarStatus) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    await ownersRoom(c, c.req.valid('param').room_name);
    return c.json(
      { status: 'disabled' as const, last_sync: null, next_sync: null, last_etag: null, events_count: 0 as const },
      200,
    );
  },
);

calendarRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_name}/ics/sync',
    summary: 'Refused: calendar sync is not part of this service',
    security: SECURITY.signedIn,
    request: { params: RoomName },
    responses: { ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    await ownersRoom(c, c.req.valid('param').room_name);
    // Reflector's own answer for a room whose calendar is not set up.
    throw malformed('ICS not configured for this room: calendar sync is not part of this service.');
  },
);
