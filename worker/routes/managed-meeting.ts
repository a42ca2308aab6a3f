import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { findMeetingById } from '../db/meetings';
import { findRoomById, findRoomByName } from '../db/rooms';
import type { Meeting, Room } from '../db/schema';
import { forbidden, notFound } from '../errors';
import { noteOnRequestLog } from '../request-log';

/**
 * A meeting that the signed-in caller may manage: its room's owner or an administrator (401,
 * 403 with `refusal`, 404 otherwise). A meeting whose room is gone is the administrators' alone.
 */
export async function managedMeeting(c: Context<AppEnv>, meetingId: string, refusal: string): Promise<Meeting> {
  const user = await c.var.auth.requireUser();
  const meeting = await findMeetingById(c.var.db, meetingId);
  if (!meeting) throw notFound('The meeting');
  noteOnRequestLog(c, { platform: meeting.platform, room_id: meeting.roomId, meeting_id: meeting.id });
  const room = meeting.roomId ? await findRoomById(c.var.db, meeting.roomId) : undefined;
  if (!user.isAdmin && room?.userId !== user.id) throw forbidden(refusal);
  return meeting;
}

/** The room of that name and that meeting of it (404 for an unknown room, or a meeting not of that room). */
export async function meetingOfRoom(
  c: Context<AppEnv>,
  roomName: string,
  meetingId: string,
): Promise<{ room: Room; meeting: Meeting }> {
  const room = await findRoomByName(c.var.db, roomName);
  if (!room) throw notFound('The room');
  const meeting = await findMeetingById(c.var.db, meetingId);
  if (meeting?.roomId !== room.id) throw notFound('The meeting');
  return { room, meeting };
}
