import type { User } from '../auth';
import type { Meeting, Room } from '../db/schema';
import type { Platforms } from '../platforms/registry';

export interface MeetingLinks {
  roomUrl: string;
  hostRoomUrl: string | null;
}

/**
 * The links one requester gets. The host link (Whereby) or owner token (Daily, carried in the
 * room URL) reaches the room's owner and nobody else.
 */
export async function meetingLinks(
  meeting: Meeting,
  room: Room,
  user: User | null,
  platforms: Platforms,
): Promise<MeetingLinks> {
  if (!user || user.id !== room.userId) return { roomUrl: meeting.roomUrl, hostRoomUrl: null };
  const hostUrl = await platforms(meeting.platform).ownerRoomUrl(meeting, user.id);
  return { roomUrl: meeting.platform === 'daily' ? hostUrl : meeting.roomUrl, hostRoomUrl: hostUrl };
}
