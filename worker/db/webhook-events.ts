import { and, eq } from 'drizzle-orm';
import type { Database } from './client';
import { webhookEvents, type Platform, type WebhookOutcome } from './schema';

/** The log of authentic webhook events, one row per (platform, event id). */

export const isRecorded = async (db: Database, platform: Platform, eventId: string) =>
  (await db.select({ id: webhookEvents.eventId }).from(webhookEvents).where(and(eq(webhookEvents.platform, platform), eq(webhookEvents.eventId, eventId))).limit(1))
    .length > 0;

export const logEvent = (
  db: Database,
  event: { platform: Platform; eventId: string; type: string; meetingId: string | null; outcome: WebhookOutcome; eventAt: number | null; receivedAt: number },
) =>
  db.insert(webhookEvents).values({
    ...event,
    delayMs: event.eventAt === null ? null : Math.max(0, event.receivedAt - event.eventAt),
  });
