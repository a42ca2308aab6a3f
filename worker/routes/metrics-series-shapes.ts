import { z } from '@hono/zod-openapi';
import { FlagChangeSchema } from './flag-history-shapes';

// The JSON shape of GET /v1/metrics/series (the /admin charts, SPEC §13); the client takes its type.

const share = z.number().min(0).max(1).nullable();

const BucketFigures = z
  .object({
    meetings: z.number().int().openapi({ description: 'meetings created in the bucket' }),
    provider_calls: z.number().int(),
    error_rate: share.openapi({ description: 'failed provider calls / calls; null without calls' }),
    webhook_delay_p95_ms: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "95th percentile of the applied webhooks' delay; null without any" }),
    join_success_rate: share.openapi({ description: 'call reports of a joined call / reports; null without reports' }),
    rating_mean: z.number().min(1).max(5).nullable().openapi({ description: 'mean 1–5 rating; null without ratings' }),
  })
  .openapi('BucketFigures');

export const MetricsSeries = z
  .object({
    window: z.string(),
    from: z.string().openapi({ description: 'start of the first bucket, inclusive' }),
    to: z.string().openapi({ description: 'end of the last bucket, exclusive (the last bucket holds now)' }),
    bucket_seconds: z.number().int().openapi({ description: 'the width of every bucket, a whole number of minutes' }),
    buckets: z.array(
      z.object({
        from: z.string().openapi({ description: 'start of the bucket' }),
        whereby: BucketFigures,
        daily: BucketFigures,
      }),
    ),
    flag_changes: z
      .array(FlagChangeSchema)
      .openapi({ description: 'the flag changes inside the series, oldest first' }),
  })
  .openapi('MetricsSeries');
