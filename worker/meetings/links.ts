import type { User } from '../auth';
import type { Meeting, Room } from '../db/schema';
import type { Platforms } from '../platforms/registry';
import type { PersonLinks } from '../platforms/types';

/**
 * Who gets links of their own: the room's owner alone (the meeting endpoint: a host link, an
 * owner token), or every signed-in person (the join: each known by name in the call).
 */
type Reach = 'owner' | 'signed-in';

/**
 * The links one requester gets. The owner's links (a host link, an owner token) reach the
 * room's owner and nobody else; what they are is the platform's answer. Anonymous callers, and
 * everyone but the owner at the `owner` reach, get the plain room URL.
 */
export async function meetingLinks(
  meeting: Meeting,
  room: Room,
  user: User | null,
  platforms: Platforms,
  reach: Reach = 'owner',
): Promise<PersonLinks> {
  const isOwner = user?.id === room.userId;
  if (!user || (reach === 'owner' && !isOwner)) return { roomUrl: meeting.roomUrl, hostRoomUrl: null };
  return platforms(meeting.platform).personLinks(meeting, {
    userId: user.id,
    userName: user.name,
    isOwner,
    recordingUi: showsRecordingUi(meeting, room),
  });
}

/**
 * Reflector's rule: the provider's own recording controls show for a local recording, or a cloud
 * one that asks nobody's consent; where our consent question asks first, they are hidden.
 */
const showsRecordingUi = (meeting: Meeting, room: Pick<Room, 'skipConsent'>) =>
  meeting.recordingType === 'local' || (meeting.recordingType === 'cloud' && room.skipConsent);
