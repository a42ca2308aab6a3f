import type { RequestIdVariables } from 'hono/request-id';
import type { Auth } from './auth';
import type { Config } from './config';
import type { Database } from './db/client';
import type { LogFields } from './log';
import type { Count } from './metrics/counters';
import type { Platforms } from './platforms/registry';

/** Hono's environment of this Worker: the bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** The settings, each parsed when a handler asks for it. */
    config: Config;
    /** D1 at the primary, through the request's 'first-primary' session (db/sessions.ts). */
    db: Database;
    /** D1 as the nearest replica has it, for the reads db/sessions.ts lists and no others. */
    nearestDb: Database;
    /** Whether the request prepared a statement that writes to D1. */
    wroteToDb: () => boolean;
    /** Who is asking: resolved on a handler's first question, then kept for the request. */
    auth: Auth;
    /** The providers, their calls counted. */
    platforms: Platforms;
    /** Adds to the rollout's counters after the answer is sent. */
    count: Count;
    /** What a route adds to the request's log line (a webhook: its event, meeting and outcome). */
    logFields: LogFields | undefined;
  };
}
