import type { Platform } from '../../domain/rooms';
import type { Database } from './client';
import { meetingCorrections } from './schema';

type CorrectionKind = (typeof meetingCorrections.$inferInsert)['kind'];

/** What the reconciliation changed that the webhooks had left wrong, for the rollout's figures. */
export const logCorrection = (
  db: Database,
  meeting: { id: string | null; platform: Platform },
  kind: CorrectionKind,
  at: number,
) => db.insert(meetingCorrections).values({ meetingId: meeting.id, platform: meeting.platform, kind, at });
