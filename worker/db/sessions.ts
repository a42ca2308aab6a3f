import { type Database, database, overSession } from './client';

// Global reads (SPEC §14). Each request reaches D1 through sessions of the Sessions API, so
// that with read replication on some reads are served by the nearest replica, and its answer
// carries a bookmark (`x-d1-bookmark`) that a later request may send back to read at least
// that fresh.
//
// Which reads may a replica serve? Only those listed here, each where its route reads:
//  - the join's read of the room and its active meeting (routes/meetings.ts), trusted only when
//    it finds a meeting to reuse; anything else that join decides is read again at the primary.
// Everything else reads and writes at the primary: webhooks must see a meeting created a moment
// ago (its first events follow at once), claims must see each other, and owners and admins
// expect to read what they have just written without sending bookmarks.

/**
 * A bookmark as D1 gives them (`<8 hex>-<8 hex>-<8 hex>-<32 hex>`). What a client sends is
 * checked before D1 sees it: anything else (D1 would refuse it, or the local one would echo it
 * back) is ignored, and so are the constraint names, which would let a client send every read
 * of its request to the primary.
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

export const validBookmark = (sent: string | null | undefined): string | undefined =>
  sent && BOOKMARK.test(sent) ? sent : undefined;

export interface RequestDatabase {
  /** Reads and writes at the primary: everything but the reads listed above. */
  primary: Database;
  /** Reads the nearest replica may serve, at least as fresh as the bookmark the request sent. */
  nearest: Database;
  /** The freshest bookmark the request's queries reached (null: no query, or sessions off). */
  bookmark(): string | null;
  /** Whether the request prepared a statement that writes (its events may be due: room-webhooks/hand-over.ts). */
  wrote(): boolean;
}

const WRITE = /^\s*(insert|update|delete|replace)\b/i;

/**
 * The binding or session as it was, noting whether a writing statement was prepared through it:
 * a request that only read can have caused nothing, and costs nothing more.
 */
function watchingWrites<D extends Pick<D1Database, 'prepare'>>(d1: D) {
  let wrote = false;
  const watched = new Proxy(d1, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== 'prepare') return typeof value === 'function' ? value.bind(target) : value;
      return (query: string) => {
        if (WRITE.test(query)) wrote = true;
        return target.prepare(query);
      };
    },
  });
  return { watched, wrote: () => wrote };
}

/**
 * The request's two sessions: 'first-primary', and the bookmark it sent or
 * 'first-unconstrained'. A session costs nothing until its first query.
 */
export function requestDatabase(db: D1Database, sentBookmark: string | null | undefined): RequestDatabase {
  const primary = db.withSession('first-primary');
  const nearest = db.withSession(validBookmark(sentBookmark) ?? 'first-unconstrained');
  const writes = watchingWrites(primary);
  return {
    primary: overSession(writes.watched),
    nearest: overSession(nearest),
    bookmark: () => freshest(primary.getBookmark(), nearest.getBookmark()),
    wrote: writes.wrote,
  };
}

/** Every query at the primary through the plain binding, and no bookmarks: `D1_SESSIONS=off`. */
export function withoutSessions(env: Pick<Env, 'DB'>): RequestDatabase {
  const writes = watchingWrites(env.DB);
  const plain = database({ DB: writes.watched });
  return { primary: plain, nearest: plain, bookmark: () => null, wrote: writes.wrote };
}

/** D1's bookmarks sort lexicographically from oldest to newest. */
const freshest = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);
