import {
  ApiError,
  type Delivery,
  type DeliveryList,
  type EffectiveFlags,
  type FlagChangeList,
  type Health,
  type Metrics,
  type MetricsSeries,
  type RolloutFlags,
  type RolloutPlan,
  type RolloutPlanInput,
  request,
  segment,
} from './api.ts';

// The administrators' calls, apart from `api`: only /admin's chunk imports this module, so the
// join page, which loads `api` before the call's SDK, does not carry them.

export const adminApi = {
  resendDelivery: (roomId: string, deliveryId: number) =>
    request<Delivery>('POST', `/rooms/${segment(roomId)}/webhook/deliveries/${deliveryId}/resend`),
  /** Admins: every room's deliveries that failed. */
  failedDeliveries: () => request<DeliveryList>('GET', '/webhook-deliveries', undefined, { status: 'failed' }),

  flags: () => request<EffectiveFlags>('GET', '/flags'),
  setFlags: (flags: RolloutFlags & { reason?: string }) => request<EffectiveFlags>('PUT', '/flags', flags),
  metrics: (window: string) => request<Metrics>('GET', '/metrics', undefined, { window }),
  /** Admins: the flags' changes, newest first. */
  flagHistory: (page: number, size: number) =>
    request<FlagChangeList>('GET', '/flags/history', undefined, { page, size }),
  /** Admins: both platforms' figures bucket by bucket over the window, with the flag changes inside. */
  metricsSeries: (window: string) => request<MetricsSeries>('GET', '/metrics/series', undefined, { window }),
  health: () => request<Health>('GET', '/health'),

  /** The guarded ramp's current plan; null before any was put. */
  rolloutPlan: () =>
    request<RolloutPlan>('GET', '/rollout/plan').catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  putRolloutPlan: (plan: RolloutPlanInput) => request<RolloutPlan>('PUT', '/rollout/plan', plan),
  pauseRolloutPlan: () => request<RolloutPlan>('POST', '/rollout/plan/pause'),
  resumeRolloutPlan: () => request<RolloutPlan>('POST', '/rollout/plan/resume'),
};
