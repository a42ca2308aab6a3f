import type { User } from '../auth';
import type { Environment } from '../config';
import type { Database } from '../db/client';
import { type FailureSummary, failureSummaries } from '../db/room-webhook-deliveries';
import type { Room } from '../db/schema';
import { invalid } from '../errors';
import { webhookUrlProblem } from '../room-webhooks/url-policy';
import { toRoomResponse } from './shapes';

// A room as one caller sees it: its webhook settings and failed deliveries (SPEC §10-11) reach
// the room's owner and administrators only; everyone else sees them null.

export const mayManage = (room: Pick<Room, 'userId'>, viewer: User | null) =>
  viewer !== null && (room.userId === viewer.id || viewer.isAdmin);

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
  const answer = toRoomResponse(room);
  const manages = mayManage(room, viewer);
  return {
    ...answer,
    webhook_url: manages ? answer.webhook_url : null,
    webhook_secret: manages ? answer.webhook_secret : null,
    ...(failures ? { webhook_failures: manages ? failuresAnswer(failures.get(room.id)) : null } : {}),
  };
}

/** The failure summaries of those rooms the viewer manages. */
export const failuresOfManaged = (db: Database, rooms: Room[], viewer: User) =>
  failureSummaries(
    db,
    rooms.filter((room) => mayManage(room, viewer)).map((room) => room.id),
  );

/** A webhook_url given to POST or PATCH must pass the policy of this ENVIRONMENT (422 naming it otherwise). */
export function checkWebhookUrl(input: { webhook_url?: string | null }, environment: Environment) {
  if (!input.webhook_url) return;
  const problem = webhookUrlProblem(input.webhook_url, environment);
  if (problem) throw invalid('webhook_url', problem);
}
