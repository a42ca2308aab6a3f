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

/** A statement prepared and bound as D1's are, that fails when run. */
function failingStatement(failure: string): D1PreparedStatement {
  const fail = () => Promise.reject(new Error(failure));
  const prepared = { bind: () => prepared, first: fail, run: fail, all: fail, raw: fail };
  return prepared as unknown as D1PreparedStatement;
}

/**
 * A D1 binding whose statements are prepared and bound as D1's are, and then fail when run
 * (through a session or not): drizzle has built the query and holds its parameters.
 */
export function failingStatements(failure = D1_UNIQUE_FAILURE): D1Database {
  const fail = () => Promise.reject(new Error(failure));
  const database = { prepare: () => failingStatement(failure), batch: fail, exec: fail };
  return { ...database, withSession: () => ({ ...database, getBookmark: () => null }) } as unknown as D1Database;
}

/** What D1 answers when it cannot be reached for a moment. */
export const D1_UNAVAILABLE = 'D1_ERROR: Network connection lost.';

/**
 * env.DB, except that the first `times` statements whose SQL matches `sql` fail when run, as D1
 * fails them (through a session or not); `failed` counts them.
 */
export function failingSome(sql: RegExp, times = Number.POSITIVE_INFINITY, failure = D1_UNAVAILABLE) {
  const failed = { count: 0 };
  const failing = new WeakSet<D1PreparedStatement>();
  const over = (target: Pick<D1Database, 'prepare' | 'batch'>) => ({
    prepare(query: string) {
      if (failed.count >= times || !sql.test(query)) return target.prepare(query);
      failed.count++;
      const statement = failingStatement(failure);
      failing.add(statement);
      return statement;
    },
    // A batch is one transaction: with a failing statement in it, all of it fails.
    batch: (statements: D1PreparedStatement[]) =>
      statements.some((statement) => failing.has(statement))
        ? Promise.reject(new Error(failure))
        : target.batch(statements),
  });
  const binding = {
    ...over(env.DB),
    withSession(constraint?: string) {
      const session = env.DB.withSession(constraint);
      return { ...over(session), getBookmark: () => session.getBookmark() };
    },
  };
  return { binding: binding as unknown as D1Database, failed };
}
