import { and, eq } from 'drizzle-orm';
import type { MeetingRef } from '../webhooks/events';
import type { Database } from './client';
import { meetings, type Meeting, type Platform } from './schema';

/** The meeting a provider's event names: by the provider's room name or meeting id. */
export async function findMeetingByRef(db: Database, platform: Platform, ref: MeetingRef): Promise<Meeting | undefined> {
  const column = ref.by === 'room-name' ? meetings.roomName : meetings.platformMeetingId;
  const [meeting] = await db
    .select()
    .from(meetings)
    .where(and(eq(meetings.platform, platform), eq(column, ref.value)))
    .limit(1);
  return meeting;
}
