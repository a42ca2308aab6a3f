import { z } from '@hono/zod-openapi';
import { COUNTS_KEPT_MS } from './counters';

// The window an admin looks back over (GET /v1/metrics, GET /v1/metrics/series): a whole number
// of minutes, hours or days, at most as long as the counts are kept.

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WINDOW_RULE = 'a window is a whole number of minutes, hours or days, such as 30m, 24h or 7d, of at most 90 days';

/** The window's length in milliseconds; NaN when it is not a window. */
export const windowMs = (window: string) => {
  const [, amount, unit] = /^([1-9]\d{0,5})([mhd])$/.exec(window) ?? [];
  return amount && unit ? Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS] : Number.NaN;
};

export const WindowQuery = z.object({
  window: z
    .string()
    .refine((window) => windowMs(window) <= COUNTS_KEPT_MS, WINDOW_RULE)
    .default('24h')
    .openapi({ description: 'how far back from now: 30m, 24h, 7d (at most 90d)', example: '24h' }),
});
