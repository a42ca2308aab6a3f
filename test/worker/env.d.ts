declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    MIGRATION_DB: D1Database;
    LATE_MIGRATION_DB: D1Database;
    HOLD_MIGRATION_DB: D1Database;
  }
  interface GlobalProps {
    mainModule: typeof import('../../worker/index');
  }
}
