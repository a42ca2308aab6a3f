import type { User } from './auth';

/** Hono's environment of this Worker: the bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Set once per request by currentUser(); undefined until then. */
    user: User | null | undefined;
  };
}
