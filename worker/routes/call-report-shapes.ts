import { z } from '@hono/zod-openapi';
import { CONSENT_KEY_PATTERN } from '../../domain/rooms';

// What the people in the calls send (SPEC §13): the join page's call-quality report and the
// "you left" page's rating. Bounded in every field, as anyone may send them.

/** The longest a call can be connected: a meeting's longest possible length (MEETING_LENGTH_MINUTES ≤ 1440). */
export const MAX_CONNECTED_SECONDS = 86_400;
/** The longest join worth a figure (SPEC §13); a page still joining after that reports a failure instead. */
export const MAX_SECONDS_TO_JOIN = 600;
export const MAX_FAILURE_REASON = 200;
export const MAX_COMMENT = 1000;

const KEY_RULE = 'a key is 16 to 64 letters (a-z, A-Z), digits, hyphens or underscores';
const browserKey = (description: string) =>
  z.string().regex(CONSENT_KEY_PATTERN, KEY_RULE).optional().openapi({ description });

export const QualityReportInput = z
  .object({
    joined: z.boolean().openapi({ description: 'whether this browser got into the call' }),
    failure_reason: z
      .string()
      .trim()
      .min(1)
      .max(MAX_FAILURE_REASON)
      .optional()
      .openapi({ description: 'why it did not join: a fatal error type of the provider, "timeout", ...' }),
    seconds_to_join: z
      .number()
      .min(0)
      .max(MAX_SECONDS_TO_JOIN)
      .optional()
      .openapi({ description: 'from the page opening to the call joined' }),
    connected_seconds: z
      .number()
      .min(0)
      .max(MAX_CONNECTED_SECONDS)
      .optional()
      .openapi({ description: 'time in the call so far' }),
    degraded_seconds: z
      .number()
      .min(0)
      .max(MAX_CONNECTED_SECONDS)
      .optional()
      .openapi({ description: 'of connected_seconds, the time with a degraded connection' }),
    report_key: browserKey(
      "this service's addition to SPEC §13: the join page's random id of one visit; a later report of the visit replaces the earlier (the figures only grow), and without one every report is a row of its own",
    ),
  })
  .strict()
  .superRefine((report, context) => {
    if (report.degraded_seconds === undefined) return;
    if (report.connected_seconds === undefined || report.degraded_seconds > report.connected_seconds)
      context.addIssue({
        code: 'custom',
        path: ['degraded_seconds'],
        message: 'degraded_seconds is part of connected_seconds: give both, degraded at most connected',
      });
  })
  .openapi('QualityReportInput');

export const RatingInput = z
  .object({
    rating: z.number().int().min(1).max(5).openapi({ description: '1 (very poor) to 5 (excellent)' }),
    comment: z
      .string()
      .trim()
      .max(MAX_COMMENT)
      .optional()
      .openapi({ description: `at most ${MAX_COMMENT} characters once trimmed; empty is none` }),
    rating_key: browserKey(
      "the browser's own random id (the one its consent answers carry): its later rating of the meeting replaces the earlier; without one every rating is a row of its own",
    ),
  })
  .strict()
  .openapi('RatingInput');

export const Accepted = z
  .object({ status: z.literal('accepted') })
  .openapi('Accepted', { description: 'taken: the latest report (or rating) of this browser counts' });

export type QualityReport = z.infer<typeof QualityReportInput>;
export type Rating = z.infer<typeof RatingInput>;
