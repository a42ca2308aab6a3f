import type { User } from './auth';
import type { LogFields } from './log';
import type { Count } from './metrics/counters';
import type { Platforms } from './platforms/registry';

/** Hono's environment of this Worker: the bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Set once per request by currentUser(); undefined until then. */
    user: User | null | undefined;
    /** What a route adds to the request's log line (a webhook: its event, meeting and outcome). */
    logFields: LogFields | undefined;
    /** Adds to the rollout's counters after the answer is sent. */
    count: Count;
    /** The providers, their calls counted. */
    platforms: Platforms;
  };
}
