import type { User } from '../auth';
import type { Config } from '../config';
import type { Meeting, Room } from '../db/schema';
import { platformFor } from '../platforms/registry';

export interface MeetingLinks {
  roomUrl: string;
  hostRoomUrl: string | null;
}

/**
 * The links one requester gets. The host link (Whereby) or owner token (Daily, carried in the
 * room URL) reaches the room's owner and nobody else.
 */
export async function meetingLinks(meeting: Meeting, room: Room, user: User | null, settings: Config): Promise<MeetingLinks> {
  if (!user || user.id !== room.userId) return { roomUrl: meeting.roomUrl, hostRoomUrl: null };
  const hostUrl = await platformFor(meeting.platform, settings).ownerRoomUrl(meeting, user.id);
  return { roomUrl: meeting.platform === 'daily' ? hostUrl : meeting.roomUrl, hostRoomUrl: hostUrl };
}
