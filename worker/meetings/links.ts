import type { User } from '../auth';
import type { Meeting, Room } from '../db/schema';
import type { Platforms } from '../platforms/registry';

interface MeetingLinks {
  roomUrl: string;
  hostRoomUrl: string | null;
}

/**
 * The links one requester gets. The owner's links (a host link, an owner token) reach the
 * room's owner and nobody else; what they are is the platform's answer.
 */
export async function meetingLinks(
  meeting: Meeting,
  room: Room,
  user: User | null,
  platforms: Platforms,
): Promise<MeetingLinks> {
  if (!user || user.id !== room.userId) return { roomUrl: meeting.roomUrl, hostRoomUrl: null };
  return platforms(meeting.platform).ownerLinks(meeting, user.id);
}
