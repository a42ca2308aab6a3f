// A guarded-ramp plan as an operator would put it (SPEC §12), for the tests, the proof and the
// benchmark: three steps, ten minutes each, five Daily meetings a step, everyday margins.

export const EXAMPLE_RAMP_PLAN = {
  steps: [10, 50, 100],
  step_minutes: 10,
  min_meetings: 5,
  guards: {
    max_error_rate_delta: 2,
    max_recording_failure_delta: 5,
    max_join_failure_delta: 5,
    max_webhook_lag_seconds_delta: 30,
    min_rating_delta: 0.5,
  },
};
