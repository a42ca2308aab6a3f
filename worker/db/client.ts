import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export const database = (env: Env) => drizzle(env.DB, { schema });
export type Database = ReturnType<typeof database>;

/** Runs the statements in order as one D1 batch, which D1 applies as one transaction. */
export async function inOneTransaction(db: Database, statements: BatchItem<'sqlite'>[]) {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
