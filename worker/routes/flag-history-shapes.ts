import { z } from '@hono/zod-openapi';
import type { FlagChange } from '../db/schema';
import { FLAG_KEYS } from '../rollout/flags';
import { Pagination, pageOf } from './shapes';

// The JSON shapes of the flags' history (SPEC §12); the client takes their types.

export const FlagChangeSchema = z
  .object({
    id: z.number().int(),
    at: z.string().openapi({ description: 'when, ISO 8601' }),
    by: z.string().openapi({
      description:
        "who: an administrator's sub, `ramp` (the guarded ramp) or `kv-dashboard` (an edit in KV found by the Cron)",
    }),
    key: z.enum(FLAG_KEYS),
    old_value: z.string().nullable().openapi({ description: 'the text in KV before; null: the key was absent' }),
    new_value: z.string().nullable().openapi({ description: 'the text in KV after; null: the key was deleted' }),
    reason: z.string(),
  })
  .openapi('FlagChange');

export const FlagChangeList = pageOf(FlagChangeSchema).openapi('FlagChangeList');

export const FlagHistoryQuery = Pagination.extend({
  key: z
    .enum(FLAG_KEYS)
    .optional()
    .openapi({ param: { in: 'query' }, description: 'only the changes of this flag' }),
});

export const flagChangeAnswer = (change: FlagChange): z.infer<typeof FlagChangeSchema> => ({
  id: change.id,
  at: new Date(change.at).toISOString(),
  by: change.by,
  key: change.key,
  old_value: change.oldValue,
  new_value: change.newValue,
  reason: change.reason,
});
