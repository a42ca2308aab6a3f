import { env } from 'cloudflare:workers';

// What a query reads, from SQLite's own plan: so a test can show that each query of a window
// reads a range of an index on its time column, never the whole table.

interface Query {
  toSQL(): { sql: string; params: unknown[] };
}

/** The steps of the query's plan that read one of `tables` (SCAN or SEARCH, with the index used). */
export async function tableReads(query: Query, tables: readonly string[]): Promise<string[]> {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  const read = new RegExp(`^(SCAN|SEARCH) (${tables.join('|')})\\b`);
  return results.map((step) => step.detail).filter((detail) => read.test(detail));
}

/** A read of a range of an index (or the primary key): a bound on the indexed column. */
export const INDEX_RANGE = /^SEARCH \w+ USING (COVERING INDEX|INDEX|PRIMARY KEY) .*(<|>)/;
