import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { RETIRING_SETTINGS } from '../../domain/rooms';
import type { AppEnv } from '../app-env';
import type { User } from '../auth';
import type { Environment } from '../config';
import type { Database } from '../db/client';
import { ROOM_SETTING_COLUMNS } from '../db/columns';
import { findActiveMeeting, markEndedAtProvider, retireActiveMeetings } from '../db/meetings';
import { deleteRoom, findRoomById, findRoomByName, insertRoom, listVisibleRooms, updateRoom } from '../db/rooms';
import type { Meeting, Room } from '../db/schema';
import { ConfigError, conflict, forbidden, invalid, notFound } from '../errors';
import { log } from '../log';
import { endingInBackground } from '../meetings/provider-end';
import type { Platforms } from '../platforms/registry';
import { webhookUrlProblem } from '../room-webhooks/url-policy';
import { errorResponses, json, SECURITY } from './docs';
import { failuresOfManaged, roomAnswer } from './room-answer';
import { listPage, Pagination, RoomDeleted, RoomInput, RoomList, RoomPatch, RoomSchema, roomFromApi } from './shapes';

export const roomRoutes = new OpenAPIHono<AppEnv>();

const RoomId = z.object({ room_id: z.string() });
const RoomName = z.object({ room_name: z.string() });

const nameTaken = (name: string) => conflict(`A room named "${name}" already exists; choose another name.`);

/**
 * Ends the meeting at its provider; answers whether it did. A platform whose settings are missing
 * or malformed cannot be asked, and must not keep anyone from deleting a room (SPEC §14): that is
 * logged, naming the setting, and the deletion goes on (the Cron tries again, should the settings
 * be mended). A provider that answers with a failure still stops the deletion, so that it can be
 * repeated.
 */
async function endBeforeDeleting(platforms: Platforms, meeting: Meeting): Promise<boolean> {
  try {
    await platforms(meeting.platform).endMeeting(meeting);
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log('warn', 'meeting not ended at its provider: the platform is not configured', {
      platform: meeting.platform,
      meeting_id: meeting.id,
      room_id: meeting.roomId,
      setting: error.setting,
      detail: error.detail,
    });
    return false;
  }
}

/** A room's webhook must point where the service may send requests (SPEC §11); refused with 422 otherwise. */
function checkWebhookUrl(url: string | null | undefined, environment: Environment) {
  const problem = url ? webhookUrlProblem(url, environment) : null;
  if (problem) throw invalid('webhook_url', problem);
}

/**
 * A room's events are signed: as Reflector does, a webhook URL given without a secret gets one
 * made up (32 random bytes, base64url, as Python's `token_urlsafe(32)`), which its owner reads on
 * the room to check the signatures with. A secret the room already has is kept.
 */
function withWebhookSecret<Input extends { webhook_url?: string | null; webhook_secret?: string | null }>(
  input: Input,
  kept: string | null = null,
): Input {
  if (!input.webhook_url || input.webhook_secret || (input.webhook_secret === undefined && kept)) return input;
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return { ...input, webhook_secret: secret };
}

/** The room, if this caller may read it: anyone for a shared room, else its owner or an admin (401, 403). */
async function readableRoom(c: Context<AppEnv>, room: Room | undefined): Promise<{ room: Room; viewer: User | null }> {
  if (!room) throw notFound('The room');
  if (room.isShared) return { room, viewer: await c.var.auth.user() };
  const viewer = await c.var.auth.requireUser();
  if (room.userId !== viewer.id && !viewer.isAdmin) throw forbidden('This room is private to its owner.');
  return { room, viewer };
}

/** The room, if this user may change it: its owner or an admin. */
export async function ownedRoom(db: Database, roomId: string, user: User): Promise<Room> {
  const room = await findRoomById(db, roomId);
  if (!room) throw notFound('The room');
  if (room.userId !== user.id && !user.isAdmin)
    throw forbidden('Only the room’s owner or an administrator may change it.');
  return room;
}

roomRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms',
    summary: 'Your rooms and the shared ones, newest first',
    security: SECURITY.signedIn,
    request: { query: Pagination },
    responses: { 200: { description: 'a page of rooms', ...json(RoomList) }, ...errorResponses(401, 422) },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const { page, size } = c.req.valid('query');
    const { items, total } = await listVisibleRooms(c.var.db, user.id, page, size);
    const failures = await failuresOfManaged(c.var.db, items, user);
    const rooms = items.map((room) => roomAnswer(room, user, failures));
    return c.json(listPage(rooms, total, { page, size }), 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms',
    summary: 'Creates a room',
    security: SECURITY.signedIn,
    request: { body: { required: true, ...json(RoomInput) } },
    responses: {
      201: { description: 'the new room', ...json(RoomSchema) },
      ...errorResponses(400, 401, 409, 422, 503),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const input = c.req.valid('json');
    checkWebhookUrl(input.webhook_url, c.var.config.environment());
    const room = await insertRoom(c.var.db, {
      ...roomFromApi(withWebhookSecret(input)),
      id: crypto.randomUUID(),
      userId: user.id,
      createdAt: new Date().toISOString(),
      platform: input.platform ?? c.var.config.defaultPlatform(),
    });
    if (!room) throw nameTaken(input.name);
    return c.json(roomAnswer(room, user), 201);
  },
);

roomRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/{room_id}',
    summary: 'One room: its owner may see it, and anyone if it is shared',
    security: SECURITY.anyoneOrSignedIn,
    request: { params: RoomId },
    responses: { 200: { description: 'the room', ...json(RoomSchema) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { room, viewer } = await readableRoom(c, await findRoomById(c.var.db, c.req.valid('param').room_id));
    return c.json(roomAnswer(room, viewer), 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/name/{room_name}',
    summary: 'One room by its name: its owner may see it, and anyone if it is shared',
    security: SECURITY.anyoneOrSignedIn,
    request: { params: RoomName },
    responses: { 200: { description: 'the room', ...json(RoomSchema) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { room, viewer } = await readableRoom(c, await findRoomByName(c.var.db, c.req.valid('param').room_name));
    return c.json(roomAnswer(room, viewer), 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/rooms/{room_id}',
    summary:
      "Changes a room; a change to the meeting's settings retires its active meeting and ends it at the provider",
    security: SECURITY.signedIn,
    request: { params: RoomId, body: { required: true, ...json(RoomPatch) } },
    responses: {
      200: { description: 'the changed room', ...json(RoomSchema) },
      ...errorResponses(400, 401, 403, 404, 409, 422),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const db = c.var.db;
    const room = await ownedRoom(db, c.req.valid('param').room_id, user);
    const patch = c.req.valid('json');
    checkWebhookUrl(patch.webhook_url, c.var.config.environment());
    const updated = await updateRoom(db, room.id, roomFromApi(withWebhookSecret(patch, room.webhookSecret)));
    if (!updated) throw nameTaken(patch.name ?? room.name);

    const reshaped = RETIRING_SETTINGS.map((setting) => ROOM_SETTING_COLUMNS[setting]).some(
      (column) => updated[column] !== room[column],
    );
    if (reshaped) {
      const retired = await retireActiveMeetings(db, room.id);
      if (retired.length)
        log('info', 'meeting retired by a settings change', { room_id: room.id, meeting_id: retired[0]?.id });
      // Whoever is in the old room is shut out of it, without the answer waiting on the provider.
      endingInBackground(c.executionCtx, db, c.var.platforms)(retired);
    }
    return c.json(roomAnswer(updated, user), 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/rooms/{room_id}',
    summary: 'Deletes a room, ending its active meeting at the provider',
    security: SECURITY.signedIn,
    request: { params: RoomId },
    responses: {
      200: { description: "deleted (Reflector's DeletionStatus)", ...json(RoomDeleted) },
      ...errorResponses(401, 403, 404, 502, 503),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const db = c.var.db;
    const room = await ownedRoom(db, c.req.valid('param').room_id, user);
    // The provider first: if it fails, the room stays as it was and the request can be repeated.
    const active = await findActiveMeeting(db, room.id);
    const ended = active ? await endBeforeDeleting(c.var.platforms, active) : false;
    await retireActiveMeetings(db, room.id);
    // Ended already; one whose platform is not configured stays due, for the Cron.
    if (active && ended) await markEndedAtProvider(db, active.id);
    await deleteRoom(db, room.id);
    return c.json({ status: 'ok' as const }, 200);
  },
);
