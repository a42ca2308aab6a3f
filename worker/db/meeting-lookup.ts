import { and, eq } from 'drizzle-orm';
import type { Platform } from '../../domain/rooms';
import type { Database } from './client';
import { type Meeting, meetings } from './schema';

/** How a provider names one of its meetings: Daily by its room's name, Whereby by its meetingId (or room name). */
export type MeetingRef = { by: 'room-name' | 'platform-meeting-id'; value: string };

/** What a webhook event needs of its meeting: fields that never change once the meeting exists. */
export type EventMeeting = Pick<
  Meeting,
  'id' | 'platform' | 'roomName' | 'recordsToBucket' | 'recordingType' | 'recordingTrigger' | 'rawTracks'
>;

// A provider's room name or meeting id names one meeting for good, and the fields above never
// change, so found meetings are kept per isolate: a meeting's events after the first cost no
// read. Not-found is never kept (the row may be written a moment later).
const found = new Map<string, EventMeeting>();
const MAX_KEPT = 2_000;

/** The meeting a provider's event names: by the provider's room name or meeting id. */
export async function findMeetingByRef(
  db: Database,
  platform: Platform,
  ref: MeetingRef,
): Promise<EventMeeting | undefined> {
  const key = `${platform} ${ref.by} ${ref.value}`;
  const kept = found.get(key);
  if (kept) return kept;

  const column = ref.by === 'room-name' ? meetings.roomName : meetings.platformMeetingId;
  const [meeting] = await db
    .select({
      id: meetings.id,
      platform: meetings.platform,
      roomName: meetings.roomName,
      recordsToBucket: meetings.recordsToBucket,
      recordingType: meetings.recordingType,
      recordingTrigger: meetings.recordingTrigger,
      rawTracks: meetings.rawTracks,
    })
    .from(meetings)
    .where(and(eq(meetings.platform, platform), eq(column, ref.value)))
    .limit(1);
  if (meeting) {
    found.set(key, meeting);
    // The oldest entry goes first (a Map keeps insertion order).
    if (found.size > MAX_KEPT) found.delete(found.keys().next().value as string);
  }
  return meeting;
}

/** For tests, which delete meetings between cases. */
export function forgetFoundMeetings() {
  found.clear();
}
