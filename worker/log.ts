/** Structured logs: one JSON object per line. */
export type LogFields = Record<string, unknown>;

// What no line may carry (SPEC §14): a failed statement's parameters, a URL's query (host links,
// meeting tokens, presigned links), a JWT or a bearer credential. Every string and every error
// that reaches a line passes through here, so a caller's `String(error)` cannot leak either.

/** drizzle's "Failed query: <sql>\nparams: <values>": everything from the parameters on. */
const STATEMENT_PARAMS = /\n\s*params:[\s\S]*$/;
/** D1's type error names the value it refused. */
const REFUSED_VALUE = /(for value )'[^']*'/g;
const URL_QUERY = /(\bhttps?:\/\/[^\s?#'"]*)[?#][^\s'"]*/gi;
const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const CREDENTIAL = /\b(?:bearer|basic)\s+[\w.~+/=-]+/gi;
const MAX_TEXT = 1_000;

/** Whether any of the above may be in a text: most texts (ids, paths, words) pass on this one test. */
const SUSPECT = /params:|for value '|:\/\/|eyJ|bearer|basic/i;

export function scrubbed(text: string): string {
  const cut = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  if (!SUSPECT.test(cut)) return cut;
  return cut
    .replace(STATEMENT_PARAMS, '')
    .replace(REFUSED_VALUE, "$1'…'")
    .replace(URL_QUERY, '$1?…')
    .replace(JWT, '[jwt]')
    .replace(CREDENTIAL, '[credential]');
}

/** A statement drizzle ran and D1 refused: drizzle's DrizzleQueryError, told apart by its shape. */
interface FailedStatement extends Error {
  query: string;
  params: unknown[];
}

const isFailedStatement = (error: Error): error is FailedStatement =>
  typeof (error as Partial<FailedStatement>).query === 'string' &&
  Array.isArray((error as Partial<FailedStatement>).params);

/** Where the error was thrown, without its message (which the stack's first line repeats). */
const framesOf = (error: Error) =>
  error.stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .map((line) => line.trim());

/**
 * What a log line says of an error: its kind, its message, for a failed statement the SQL's
 * shape (placeholders, never the values) and D1's own words, and where it was thrown.
 */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { kind: typeof error, message: scrubbed(String(error)) };
  if (isFailedStatement(error)) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? '');
    return {
      kind: 'd1-statement',
      sql: scrubbed(error.query),
      param_count: error.params.length,
      message: scrubbed(cause),
      stack: framesOf(error),
    };
  }
  return {
    kind: /^(D1_\w+)/.exec(error.message)?.[1] ?? error.name,
    message: scrubbed(error.message),
    ...(error.cause instanceof Error ? { cause: describeError(error.cause) } : {}),
    stack: framesOf(error),
  };
}

const safely = (_key: string, value: unknown) =>
  value instanceof Error ? describeError(value) : typeof value === 'string' ? scrubbed(value) : value;

export function log(level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}) {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields }, safely);
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
