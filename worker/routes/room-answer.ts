import type { User } from '../auth';
import type { Database } from '../db/client';
import { type FailureSummary, failureSummaries } from '../db/room-webhook-deliveries';
import type { Room } from '../db/schema';
import { managesRoom, toRoomResponse } from './shapes';

// A room as one caller sees it: its webhook settings and failed deliveries (SPEC §10-11) reach
// the room's owner and administrators only; everyone else sees them null.

const failuresAnswer = (summary: FailureSummary | undefined) =>
  summary
    ? {
        count: summary.count,
        last_error: summary.lastError,
        last_failed_at: summary.lastFailedAt === null ? null : new Date(summary.lastFailedAt).toISOString(),
      }
    : null;

/** The room's answer; with `failures` (of failureSummaries), its summary of failed deliveries too. */
export function roomAnswer(room: Room, viewer: User | null, failures?: Map<string, FailureSummary>) {
  const answer = toRoomResponse(room, viewer);
  if (!failures) return answer;
  return { ...answer, webhook_failures: managesRoom(room, viewer) ? failuresAnswer(failures.get(room.id)) : null };
}

/** The failure summaries of those rooms the viewer manages. */
export const failuresOfManaged = (db: Database, rooms: Room[], viewer: User) =>
  failureSummaries(
    db,
    rooms.filter((room) => managesRoom(room, viewer)).map((room) => room.id),
  );
