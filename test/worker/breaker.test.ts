import { describe, expect, it } from 'vitest';
import {
  admit,
  type BreakerRecord,
  type CreateOutcome,
  closedBreaker,
  recordOutcome,
  stateOf,
  viewOf,
} from '../../worker/platforms/breaker';

// The circuit breaker's rules (SPEC §9) on a clock of the test's own: the thresholds, the
// window, the waits and the one trial. failover.test.ts and failover-drill.test.ts run them
// through the Worker and the Durable Object.

const T0 = Date.parse('2026-12-01T10:00:00Z');
const S = 1000;

/** Outcomes one after another, each `stepMs` after the one before, from `start`. */
function play(outcomes: CreateOutcome[], { start = T0, stepMs = S, record = closedBreaker() } = {}) {
  let now = start;
  let current: BreakerRecord = record;
  for (const outcome of outcomes) {
    current = recordOutcome(current, outcome, now);
    now += stepMs;
  }
  return { record: current, at: now - stepMs };
}

describe('the circuit breaker', () => {
  it('opens after 3 failed creates in a row, not after 2 with a success between', () => {
    expect(stateOf(play(['failed', 'failed']).record, T0 + 2 * S)).toBe('closed');
    expect(stateOf(play(['failed', 'ok', 'failed']).record, T0 + 3 * S)).toBe('closed');
    const { record, at } = play(['failed', 'failed', 'failed']);
    expect(stateOf(record, at)).toBe('open');
    expect(viewOf(record, at).retry_at).toBe(new Date(at + 30 * S).toISOString());
  });

  it('opens when at least 5 creates in the last 60 s were made and at least half failed', () => {
    const four = play(['failed', 'ok', 'failed', 'ok']);
    expect(stateOf(four.record, four.at)).toBe('closed');
    const five = play(['failed', 'ok', 'failed', 'ok', 'failed']);
    expect(stateOf(five.record, five.at)).toBe('open');
    // Fewer than half failed: stays closed.
    const six = play(['ok', 'failed', 'ok', 'failed', 'ok', 'ok', 'failed']);
    expect(stateOf(six.record, six.at)).toBe('closed');
  });

  it('forgets creates older than 60 s', () => {
    // Two failures, then 61 s later two more with a success between: only 3 calls in the window.
    const early = play(['failed', 'ok', 'failed'], { stepMs: 100 });
    const late = play(['ok', 'failed'], { start: T0 + 61 * S, record: early.record });
    expect(stateOf(late.record, late.at)).toBe('closed');
    expect(viewOf(late.record, late.at)).toMatchObject({ calls: 2, failures: 1 });
  });

  it('stays open 30 s, then lets exactly one trial through until it reports or its lease ends', () => {
    const { record: open, at } = play(['failed', 'failed', 'failed']);
    expect(admit(open, at + 29 * S).admitted).toBe(false);
    const trial = admit(open, at + 30 * S);
    expect(trial.admitted).toBe(true);
    expect(stateOf(trial.record, at + 30 * S)).toBe('half-open');
    expect(admit(trial.record, at + 31 * S).admitted).toBe(false);
    // A trial that never reports (its isolate gone) does not hold the breaker half-open for ever.
    expect(admit(trial.record, at + 61 * S).admitted).toBe(true);
  });

  it('closes on the trial’s success, afresh', () => {
    const { record: open, at } = play(['failed', 'failed', 'failed']);
    const { record: trial } = admit(open, at + 30 * S);
    const closed = recordOutcome(trial, 'ok', at + 31 * S);
    expect(viewOf(closed, at + 31 * S)).toEqual({
      state: 'closed',
      calls: 0,
      failures: 0,
      failures_in_a_row: 0,
      retry_at: null,
    });
    expect(admit(closed, at + 31 * S).admitted).toBe(true);
  });

  it('reopens on the trial’s failure with the wait doubled, at most 5 minutes', () => {
    let { record, at } = play(['failed', 'failed', 'failed']);
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      const until = Date.parse(viewOf(record, at).retry_at ?? '');
      at = until;
      record = recordOutcome(admit(record, at).record, 'failed', at);
      waits.push((Date.parse(viewOf(record, at).retry_at ?? '') - at) / S);
    }
    expect(waits).toEqual([60, 120, 240, 300, 300, 300]);
  });

  it('does not judge by outcomes that arrive while it is open, only once the wait is over', () => {
    const { record: open, at } = play(['failed', 'failed', 'failed']);
    const late = recordOutcome(open, 'ok', at + 10 * S);
    expect(stateOf(late, at + 10 * S)).toBe('open');
    // With nothing held back (PROVIDER_FAILOVER=false) the first outcome after the wait is the trial.
    expect(stateOf(recordOutcome(late, 'ok', at + 30 * S), at + 30 * S)).toBe('closed');
  });
});
