// Test-only D1 bindings, given to the app through requestWith in place of env.DB.

/** A statement D1 refused as it refuses a duplicate id: drizzle wraps it with the statement's parameters. */
export const D1_UNIQUE_FAILURE = 'D1_ERROR: UNIQUE constraint failed: rooms.id: SQLITE_CONSTRAINT';

/**
 * A D1 binding whose statements are prepared and bound as D1's are, and then fail when run
 * (through a session or not): drizzle has built the query and holds its parameters.
 */
export function failingStatements(failure = D1_UNIQUE_FAILURE): D1Database {
  const fail = () => Promise.reject(new Error(failure));
  const statement = (): D1PreparedStatement => {
    const prepared = { bind: () => prepared, first: fail, run: fail, all: fail, raw: fail };
    return prepared as unknown as D1PreparedStatement;
  };
  const database = { prepare: statement, batch: fail, exec: fail };
  return { ...database, withSession: () => ({ ...database, getBookmark: () => null }) } as unknown as D1Database;
}
