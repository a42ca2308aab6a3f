// The one module that talks to the API (SPEC §4). Its types come from the Worker's own zod
// schemas through type-only imports, which cost the bundle nothing; an error is always an
// ApiError carrying the API's `detail` sentence, so pages show what the Worker said, and its
// `field`, so a form shows it next to that input.

import type { z } from 'zod';
import type { Platform } from '../domain/rooms.ts';
import type { ErrorCode } from '../worker/errors.ts';
import type { MalformedFlag, RolloutFlags } from '../worker/rollout/flags.ts';
import type {
  QualityReportInput as QualityReportSchema,
  RatingInput as RatingSchema,
} from '../worker/routes/call-report-shapes.ts';
import type { FlagChangeList as FlagChangeListSchema } from '../worker/routes/flag-history-shapes.ts';
import type { MetricsSeries as MetricsSeriesSchema } from '../worker/routes/metrics-series-shapes.ts';
import type { RampSettingsInput, RolloutPlanSchema } from '../worker/routes/rollout-plan-shapes.ts';
import type {
  DeliveryList as DeliveryListSchema,
  WebhookTestResult as WebhookTestResultSchema,
} from '../worker/routes/room-webhook-shapes.ts';
import type {
  ConsentInput as ConsentInputSchema,
  ConsentResult as ConsentResultSchema,
  Health as HealthSchema,
  MeetingSchema,
  Metrics as MetricsSchema,
  RoomDeleted as RoomDeletedSchema,
  RoomInput as RoomInputSchema,
  RoomList as RoomListSchema,
  RoomPatch as RoomPatchSchema,
  RoomSchema,
} from '../worker/routes/shapes.ts';

export type Meeting = z.infer<typeof MeetingSchema>;
export type Room = z.infer<typeof RoomSchema>;
export type RoomList = z.infer<typeof RoomListSchema>;
/** What POST /v1/rooms accepts: every setting but the name may be left to its default. */
export type RoomInput = z.input<typeof RoomInputSchema>;
export type RoomPatch = z.input<typeof RoomPatchSchema>;
export type RoomDeleted = z.infer<typeof RoomDeletedSchema>;
export type ConsentResult = z.infer<typeof ConsentResultSchema>;
export type WebhookTestResult = z.infer<typeof WebhookTestResultSchema>;
export type DeliveryList = z.infer<typeof DeliveryListSchema>;
export type Delivery = DeliveryList['items'][number];
export type ConsentInput = z.input<typeof ConsentInputSchema>;
export type QualityReport = z.input<typeof QualityReportSchema>;
export type RatingInput = z.input<typeof RatingSchema>;
export type { MalformedFlag, RolloutFlags };
export type EffectiveFlags = RolloutFlags & { malformed: MalformedFlag[] };

export type Metrics = z.infer<typeof MetricsSchema>;
export type Health = z.infer<typeof HealthSchema>;
/** A provider's circuit breaker as GET /v1/health shows it; null when it could not be read. */
export type Breaker = Health['breakers'][Platform];
export type PlatformFigures = Metrics['platforms'][Platform];
export type RolloutPlan = z.infer<typeof RolloutPlanSchema>;
export type RolloutPlanInput = z.input<typeof RampSettingsInput>;
export type FlagChangeList = z.infer<typeof FlagChangeListSchema>;
export type FlagChange = FlagChangeList['items'][number];
export type MetricsSeries = z.infer<typeof MetricsSeriesSchema>;

/**
 * A failed call: the status (0 when no answer came at all) and the API's sentence, with its
 * code and the input at fault when it names them (answers from before those fields have neither).
 * toApiError makes every one.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode | undefined;
  readonly field: string | undefined;

  constructor(status: number, detail: string, named: { code?: ErrorCode; field?: string } = {}) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.code = named.code;
    this.field = named.field;
  }

  /** The one of `fields` this error is about, if the API named it (a path names its first part). */
  fieldIn<Field extends string>(fields: readonly Field[]): Field | null {
    const named = this.field?.split('.')[0];
    return fields.find((field) => field === named) ?? null;
  }
}

/**
 * Every failure as an ApiError, made here and nowhere else. `failure` is either the API's answer
 * (a Response other than 2xx, with `body` its parsed JSON) or whatever was thrown instead of one:
 * an ApiError stays itself, anything else becomes a status 0. `fallback` says what failed where
 * the failure says nothing itself.
 */
export function toApiError(failure: unknown, fallback: string, body?: unknown): ApiError {
  if (failure instanceof ApiError) return failure;
  if (!(failure instanceof Response)) return new ApiError(0, fallback);
  const said = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return new ApiError(failure.status, typeof said.detail === 'string' ? said.detail : fallback, {
    code: text(said.code) as ErrorCode | undefined,
    field: text(said.field),
  });
}

/** How long a request may take before the page says so; a meeting may need a provider call. */
const TIMEOUT_MS = 30_000;

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string | number>,
): Promise<T> {
  const search = query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}` : '';
  let response: Response;
  try {
    response = await fetch(`/v1${path}${search}`, {
      method,
      // Same origin: Cloudflare Access's CF_Authorization cookie (or the local development
      // login) identifies the user; the page never handles a token itself.
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw toApiError(
      error,
      timedOut
        ? 'The service took too long to answer; try again.'
        : 'The service could not be reached; check your connection and try again.',
    );
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok)
    throw toApiError(response, `The service answered ${response.status} ${response.statusText}.`.trim(), data);
  return data as T;
}

export const segment = encodeURIComponent;

/** The room's active meeting, created if there is none. */
const roomMeeting = (roomName: string) => request<Meeting>('POST', `/rooms/${segment(roomName)}/meeting`);
/** That meeting with this person's own links: a Daily token naming them, the host link for the owner. */
const joinById = (roomName: string, meetingId: string) =>
  request<Meeting>('POST', `/rooms/${segment(roomName)}/meetings/${segment(meetingId)}/join`);

/**
 * Joins the room: its meeting, then that meeting joined as this person, whose links the call
 * mounts. A meeting that ended between the two (400: the room has a new one) is asked for once more.
 */
async function joinRoom(roomName: string): Promise<Meeting> {
  const meeting = await roomMeeting(roomName);
  try {
    return await joinById(roomName, meeting.id);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    return joinById(roomName, (await roomMeeting(roomName)).id);
  }
}

export const api = {
  joinMeeting: joinRoom,
  /** The answer as this browser's one answer to the meeting: a later one with the same key replaces it. */
  consent: (meetingId: string, consentGiven: boolean, consentKey: string) =>
    request<ConsentResult>('POST', `/meetings/${segment(meetingId)}/consent`, {
      consent_given: consentGiven,
      consent_key: consentKey,
    } satisfies ConsentInput),

  /**
   * The call's figures as a beacon (SPEC §13): it outlives the page, never delays leaving, and its
   * text/plain body needs no preflight. Nothing waits for an answer: the next report repeats it all.
   */
  reportQuality: (meetingId: string, report: QualityReport) => {
    const url = `/v1/meetings/${segment(meetingId)}/quality`;
    const body = JSON.stringify(report);
    if (navigator.sendBeacon?.(url, body)) return;
    void fetch(url, { method: 'POST', body, keepalive: true, credentials: 'same-origin' }).catch(() => undefined);
  },
  /** This browser's rating of the meeting: a later one with the same key replaces it. */
  rate: (meetingId: string, rating: RatingInput) =>
    request<{ status: 'accepted' }>('POST', `/meetings/${segment(meetingId)}/rating`, rating),

  listRooms: (page: number, size: number) => request<RoomList>('GET', '/rooms', undefined, { page, size }),
  createRoom: (input: RoomInput) => request<Room>('POST', '/rooms', input),
  updateRoom: (id: string, patch: RoomPatch) => request<Room>('PATCH', `/rooms/${segment(id)}`, patch),
  deleteRoom: (id: string) => request<RoomDeleted>('DELETE', `/rooms/${segment(id)}`),

  /** Sends a signed `test` event to the room's saved webhook_url now: how the receiver answered. */
  testWebhook: (roomId: string) => request<WebhookTestResult>('POST', `/rooms/${segment(roomId)}/webhook/test`),
  /** Every failed delivery of the room, sent again. */
  resendFailedDeliveries: (roomId: string) =>
    request<{ resent: number }>('POST', `/rooms/${segment(roomId)}/webhook/deliveries/resend`),
};
