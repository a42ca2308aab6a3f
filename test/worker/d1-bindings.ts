import { env } from 'cloudflare:workers';

// Test-only D1 bindings, given to the app through requestWith in place of env.DB.

/** One statement as the Worker prepared it: on which session (its constraint or bookmark) and its SQL. */
export interface PreparedOn {
  session: string;
  sql: string;
}

export interface SessionsOnly {
  binding: D1Database;
  /** Every statement prepared through a session, in order. */
  statements: PreparedOn[];
  /** Every use of the binding that went around the Sessions API (each also threw). */
  bypasses: string[];
}

/**
 * A D1 binding that works only through `withSession`: `prepare`, `batch`, `exec` and `dump` on
 * it throw, so a path that reads or writes around its session fails. Sessions other than
 * 'first-primary' are those of `replica` when given (another database standing for a replica a
 * moment behind the primary), else of `primary`.
 */
export function sessionsOnly(primary: D1Database = env.DB, replica?: D1Database): SessionsOnly {
  const statements: PreparedOn[] = [];
  const bypasses: string[] = [];
  const refuse =
    (method: string) =>
    (..._args: unknown[]): never => {
      bypasses.push(method);
      throw new Error(`env.DB.${method} was called directly, around the request's D1 session`);
    };
  const withSession = (constraint: string = 'first-unconstrained') => {
    const session = (constraint === 'first-primary' ? primary : (replica ?? primary)).withSession(constraint);
    return {
      prepare(sql: string) {
        statements.push({ session: constraint, sql });
        return session.prepare(sql);
      },
      batch: (batch: D1PreparedStatement[]) => session.batch(batch),
      getBookmark: () => session.getBookmark(),
    };
  };
  const binding = {
    prepare: refuse('prepare'),
    batch: refuse('batch'),
    exec: refuse('exec'),
    dump: refuse('dump'),
    withSession,
  };
  return { binding: binding as unknown as D1Database, statements, bypasses };
}

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
