// The circuit breaker of one provider (SPEC §9), as pure functions of its record and the time:
// breaker-object.ts keeps the record in a Durable Object, so that every isolate sees one breaker.
//
// What it counts: the provider's meeting creates, each once however often http.ts retried it.
// Only creates, because only creates are held back and failed over, and because the other calls
// say little about them: Daily limits DELETE /rooms, GET /recordings and the recording start
// far below POST /rooms (2 and 1 req/s against 20), so a Cron run's 429s there must not send
// joins elsewhere; and the owner's meeting token, a call on the join of an active meeting, would
// put a breaker call on the hot path. A create that failed by an outage (no answer, a timeout,
// 5xx, 429) is a failure; one the provider answered, even with a refusal, is a call that worked.

export type CreateOutcome = 'ok' | 'failed';
export type BreakerState = 'closed' | 'open' | 'half-open';

const WINDOW_S = 60;
const MIN_CALLS = 5;
const FAILURES_IN_A_ROW = 3;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 5 * 60_000;
/**
 * How long a trial create has to report back before another may go: longer than a create can
 * take with its retries (get-or-create's claim lease), so that a trial lost with its isolate
 * does not keep the breaker half-open for ever.
 */
const TRIAL_LEASE_MS = 30_000;

export interface BreakerRecord {
  /** The creates of the last 60 s, tallied per second (at most 60 entries). */
  recent: { second: number; calls: number; failures: number }[];
  failuresInARow: number;
  /** Null while closed. Open until `until`; half-open from then until a trial's outcome. */
  open: { until: number; waitMs: number; trialUntil: number | null } | null;
}

export const closedBreaker = (): BreakerRecord => ({ recent: [], failuresInARow: 0, open: null });

export function stateOf(record: BreakerRecord, now: number): BreakerState {
  if (!record.open) return 'closed';
  return now < record.open.until ? 'open' : 'half-open';
}

/**
 * Whether a create may go to the provider now: always while closed, never while open, and once
 * half-open for one trial at a time. Returns the record as it is after the decision.
 */
export function admit(record: BreakerRecord, now: number): { admitted: boolean; record: BreakerRecord } {
  const state = stateOf(record, now);
  if (state === 'closed') return { admitted: true, record };
  if (state === 'open' || !record.open) return { admitted: false, record };
  const { trialUntil } = record.open;
  if (trialUntil !== null && now < trialUntil) return { admitted: false, record };
  return { admitted: true, record: { ...record, open: { ...record.open, trialUntil: now + TRIAL_LEASE_MS } } };
}

/** The breaker after a create's outcome: it may open, reopen with a longer wait, or close. */
export function recordOutcome(record: BreakerRecord, outcome: CreateOutcome, now: number): BreakerRecord {
  const state = stateOf(record, now);
  // A half-open breaker is judged by the first outcome that arrives: the trial's, or (with
  // PROVIDER_FAILOVER=false, when nothing is held back) any create's.
  if (state === 'half-open' && record.open) {
    if (outcome === 'ok') return closedBreaker();
    const waitMs = Math.min(record.open.waitMs * 2, LONGEST_WAIT_MS);
    return { ...tally(record, outcome, now), open: { until: now + waitMs, waitMs, trialUntil: null } };
  }
  const next = tally(record, outcome, now);
  if (state === 'open' || outcome === 'ok') return next;
  const { calls, failures } = totals(next, now);
  const failing = next.failuresInARow >= FAILURES_IN_A_ROW || (calls >= MIN_CALLS && failures * 2 >= calls);
  return failing ? { ...next, open: { until: now + FIRST_WAIT_MS, waitMs: FIRST_WAIT_MS, trialUntil: null } } : next;
}

/** What GET /v1/health and /admin show of a breaker. */
export interface BreakerView {
  state: BreakerState;
  /** Creates in the last 60 s, and those that failed by an outage. */
  calls: number;
  failures: number;
  failures_in_a_row: number;
  /** While open: when it lets a trial create through (ISO); null otherwise. */
  retry_at: string | null;
}

export function viewOf(record: BreakerRecord, now: number): BreakerView {
  const state = stateOf(record, now);
  return {
    state,
    ...totals(record, now),
    failures_in_a_row: record.failuresInARow,
    retry_at: state === 'open' && record.open ? new Date(record.open.until).toISOString() : null,
  };
}

function tally(record: BreakerRecord, outcome: CreateOutcome, now: number): BreakerRecord {
  const second = Math.floor(now / 1000);
  const failed = outcome === 'failed' ? 1 : 0;
  const recent = inWindow(record, now);
  const last = recent.at(-1);
  const updated =
    last?.second === second
      ? [...recent.slice(0, -1), { second, calls: last.calls + 1, failures: last.failures + failed }]
      : [...recent, { second, calls: 1, failures: failed }];
  return { ...record, recent: updated, failuresInARow: failed ? record.failuresInARow + 1 : 0 };
}

const inWindow = (record: BreakerRecord, now: number) =>
  record.recent.filter((entry) => entry.second > Math.floor(now / 1000) - WINDOW_S);

function totals(record: BreakerRecord, now: number) {
  return inWindow(record, now).reduce(
    (sum, entry) => ({ calls: sum.calls + entry.calls, failures: sum.failures + entry.failures }),
    { calls: 0, failures: 0 },
  );
}
