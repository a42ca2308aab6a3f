import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';

// Without drizzle's `schema` option: it serves only the relational query API (`db.query.*`),
// which nothing here uses, and building it took about 75 µs per instance, that is per request
// (1 µs without it).
export const database = (env: Pick<Env, 'DB'>) => drizzle(env.DB);

/**
 * drizzle over one D1 session (SPEC §14): drizzle's D1 driver only calls `prepare` and `batch`,
 * which a session has too.
 */
export const overSession = (session: D1DatabaseSession) => drizzle(session as unknown as D1Database);
export type Database = ReturnType<typeof database>;

/** Runs the statements in order as one D1 batch, which D1 applies as one transaction. */
export async function inOneTransaction(db: Database, statements: BatchItem<'sqlite'>[]) {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Whether the error is D1's unique (or primary key) violation of that constraint: its columns
 * as SQLite names them (`'rooms.name'`, `'webhook_events.platform, webhook_events.event_id'`),
 * or a table's name for any of its unique constraints. drizzle wraps D1's error; the
 * constraint is named in the cause.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const message = String(error instanceof Error ? (error.cause ?? error) : error);
  const columns = message.match(/UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/)?.[1];
  if (!columns) return false;
  if (!constraint.includes('.')) return columns.split(', ').every((column) => column.startsWith(`${constraint}.`));
  return columns === constraint;
}
