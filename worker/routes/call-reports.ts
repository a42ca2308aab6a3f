import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { recordCallReport, recordRating } from '../db/call-reports';
import { findMeetingById } from '../db/meetings';
import { conflict, notFound } from '../errors';
import { takesAnswers } from '../meetings/consent-window';
import { noteOnRequestLog } from '../request-log';
import { bodyOfAtMost } from './body-limit';
import { Accepted, QualityReportInput, RatingInput } from './call-report-shapes';
import { errorResponses, json, SECURITY } from './docs';
import { limitAnswers } from './meetings';

// What the people in the calls felt (SPEC §13): the join page's call-quality report and the
// "you left" page's rating. Anyone may send them, so each is rate-limited per client IP and
// meeting (the consent answers' limit) before anything else, bounded in bytes before it is
// parsed, validated, and taken only for a known meeting within an hour of its end.

export const callReportRoutes = new OpenAPIHono<AppEnv>();

/**
 * navigator.sendBeacon sends a string as `text/plain;charset=UTF-8` (a JSON type would need a
 * CORS preflight, which a beacon cannot make): here that text is the JSON body, read as JSON.
 * Any other type stays as it came, and the route's media-type check answers it 415.
 */
const beaconTextAsJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/plain') {
    const headers = new Headers(c.req.raw.headers);
    headers.set('content-type', 'application/json');
    c.req.raw = new Request(c.req.raw, { headers });
  }
  await next();
});

/** The body as JSON or as sendBeacon's text, documented as both. */
const jsonOrBeacon = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema }, 'text/plain': { schema } },
});

const params = z.object({ meeting_id: z.string() });

const reportRoute = <Body extends z.ZodType>(path: string, summary: string, maxBytes: number, body: Body) =>
  createRoute({
    method: 'post',
    path,
    summary,
    security: SECURITY.anyone,
    middleware: [
      limitAnswers,
      bodyOfAtMost(maxBytes, `The body is over ${maxBytes} bytes.`),
      beaconTextAsJson,
    ] as const,
    request: { params, body: jsonOrBeacon(body) },
    responses: {
      202: { description: 'taken; a later one of the same browser replaces it', ...json(Accepted) },
      ...errorResponses(400, 404, 409, 413, 415, 422, 429),
    },
  });

/** The meeting a report is about, if it still takes reports: 404 unknown, 409 ended over an hour ago. */
async function reportedMeeting(c: Context<AppEnv>) {
  const meeting = await findMeetingById(c.var.db, c.req.param('meeting_id') ?? '');
  if (!meeting) throw notFound('The meeting');
  noteOnRequestLog(c, { platform: meeting.platform, room_id: meeting.roomId, meeting_id: meeting.id });
  if (!takesAnswers(meeting)) throw conflict('This meeting ended more than an hour ago; it takes no more reports.');
  return { meetingId: meeting.id, platform: meeting.platform };
}

callReportRoutes.openapi(
  reportRoute(
    '/meetings/{meeting_id}/quality',
    "One browser's report of a call: joined or why not, time to join, time connected and degraded",
    2 * 1024,
    QualityReportInput,
  ),
  async (c) => {
    await recordCallReport(c.var.db, await reportedMeeting(c), c.req.valid('json'), Date.now());
    return c.json({ status: 'accepted' as const }, 202);
  },
);

callReportRoutes.openapi(
  reportRoute(
    '/meetings/{meeting_id}/rating',
    'How the call was, 1 to 5, with an optional comment, from the "you left" page',
    8 * 1024,
    RatingInput,
  ),
  async (c) => {
    await recordRating(c.var.db, await reportedMeeting(c), c.req.valid('json'), Date.now());
    return c.json({ status: 'accepted' as const }, 202);
  },
);
