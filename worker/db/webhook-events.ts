import type { Platform } from '../../domain/rooms';
import type { Database } from './client';
import { type WebhookOutcome, webhookEvents } from './schema';

/** The log of authentic webhook events, one row per (platform, event id). */

export const logEvent = (
  db: Database,
  event: {
    platform: Platform;
    eventId: string;
    type: string;
    meetingId: string | null;
    outcome: WebhookOutcome;
    eventAt: number | null;
    receivedAt: number;
  },
) =>
  db.insert(webhookEvents).values({
    ...event,
    delayMs: event.eventAt === null ? null : Math.max(0, event.receivedAt - event.eventAt),
  });
