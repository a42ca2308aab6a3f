import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type RolloutPlan, type RolloutPlanInput } from '../../client/api.ts';
import { RolloutPlanSection } from '../../client/pages/admin/RolloutPlan.tsx';

// The guarded ramp's panel on /admin: the plan where it stands, its verdicts with their figures,
// pause and resume, and the form with the API's errors at their fields.

const GUARDS = {
  max_error_rate_delta: 2,
  max_recording_failure_delta: 5,
  max_join_failure_delta: 5,
  max_webhook_lag_seconds_delta: 30,
  min_rating_delta: 0.5,
};

const PLAN: RolloutPlan = {
  id: 1,
  state: 'running',
  steps: [10, 50, 100],
  step_minutes: 10,
  min_meetings: 5,
  guards: GUARDS,
  current_step: { index: 1, percent: 50, started_at: '2026-12-02T10:10:00.000Z', waiting_since: null },
  next_check_at: '2026-12-02T10:16:00.000Z',
  put_by: 'admin-1',
  put_at: '2026-12-02T10:00:00.000Z',
  verdicts: [
    {
      at: '2026-12-02T10:15:00.000Z',
      step_index: 1,
      percent: 50,
      decision: 'wait',
      reason: 'step 2 of 3 (50%) has run 5 of 10 minutes; 1 guards pass, 4 not judged, over 6 Daily meetings',
      daily_meetings: 6,
      daily_provider_calls: 20,
      guards: [
        { guard: 'max_error_rate_delta', daily: 5, whereby: 1, delta: 4, margin: 2, verdict: 'fail' },
        {
          guard: 'max_recording_failure_delta',
          daily: null,
          whereby: null,
          delta: null,
          margin: 5,
          verdict: 'not-judged',
        },
        { guard: 'max_join_failure_delta', daily: 2, whereby: 3, delta: -1, margin: 5, verdict: 'pass' },
        { guard: 'max_webhook_lag_seconds_delta', daily: 2, whereby: 1.5, delta: 0.5, margin: 30, verdict: 'pass' },
        { guard: 'min_rating_delta', daily: 4.5, whereby: 4.6, delta: 0.1, margin: 0.5, verdict: 'pass' },
      ],
    },
  ],
};

function client(plan: RolloutPlan | null = PLAN) {
  return {
    rolloutPlan: vi.fn(async () => plan),
    putRolloutPlan: vi.fn(async (input: RolloutPlanInput) => ({
      ...PLAN,
      ...input,
      guards: GUARDS,
      current_step: { index: 0, percent: input.steps[0]!, started_at: PLAN.put_at, waiting_since: PLAN.put_at },
      verdicts: [],
    })),
    pauseRolloutPlan: vi.fn(async () => ({ ...PLAN, state: 'paused' as const, next_check_at: null })),
    resumeRolloutPlan: vi.fn(async () => PLAN),
  };
}

describe('the guarded ramp panel', () => {
  it('says it is loading, then shows the state, the current step among the steps and the next check', async () => {
    render(<RolloutPlanSection client={client()} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the rollout plan');
    const steps = await screen.findByRole('list', { name: 'Step 2 of 3' });
    expect(steps.textContent).toBe('10%[50%]100%');
    expect(within(steps).getAllByRole('listitem')[1]?.getAttribute('aria-current')).toBe('step');
    expect(screen.getByText(/Running: the Cron judges each step/)).toBeTruthy();
    expect(screen.getByText(/on the first Cron run \(every 5 minutes\) from then/)).toBeTruthy();
  });

  it('shows each verdict with each guard’s figures, delta, margin and verdict, units included', async () => {
    render(<RolloutPlanSection client={client()} />);
    const table = await screen.findByRole('table');
    expect(within(table).getByText(/6 Daily meetings and 20 Daily API calls/)).toBeTruthy();
    const row = (name: string) =>
      within(table).getByRole('rowheader', { name }).closest('tr')?.querySelectorAll('td') as NodeListOf<HTMLElement>;
    expect([...row('Provider error rate')].map((cell) => cell.textContent)).toEqual([
      '5 pp',
      '1 pp',
      '4 pp',
      '2 pp',
      'Fail',
    ]);
    expect([...row('Recording failures')].map((cell) => cell.textContent)).toEqual([
      '—',
      '—',
      '—',
      '5 pp',
      'Not judged',
    ]);
    expect([...row('Rating')].map((cell) => cell.textContent)).toEqual([
      '4.5 points',
      '4.6 points',
      '0.1 points',
      '0.5 points',
      'Pass',
    ]);
  });

  it('pauses a running plan and offers to resume it', async () => {
    const api = client();
    render(<RolloutPlanSection client={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Pause' }));
    await screen.findByRole('button', { name: 'Resume' });
    expect(api.pauseRolloutPlan).toHaveBeenCalledOnce();
    expect(screen.getByText('Paused: the percent stays where it is.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
  });

  it('puts a plan from the form, steps as a comma list', async () => {
    const api = client(null);
    render(<RolloutPlanSection client={api} />);
    expect(await screen.findByText(/No plan yet/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Steps'), { target: { value: '5, 20 ,100' } });
    fireEvent.input(screen.getByLabelText('Minutes a step'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Put the plan and start its first step' }));
    await screen.findByText('Plan put: 5% written, the master switch on.');
    expect(api.putRolloutPlan).toHaveBeenCalledExactlyOnceWith({
      steps: [5, 20, 100],
      step_minutes: 30,
      min_meetings: 20,
      guards: GUARDS,
    });
  });

  it('shows the API’s refusal at the field it names, for steps and for a margin', async () => {
    const api = client();
    api.putRolloutPlan
      .mockRejectedValueOnce(
        new ApiError(422, 'steps.2: each step rises: 40 follows 50', { code: 'validation', field: 'steps.2' }),
      )
      .mockRejectedValueOnce(
        new ApiError(422, 'guards.min_rating_delta: too small', {
          code: 'validation',
          field: 'guards.min_rating_delta',
        }),
      );
    render(<RolloutPlanSection client={api} />);
    const submit = await screen.findByRole('button', { name: 'Put the plan and start its first step' });
    fireEvent.click(submit);
    const steps = screen.getByLabelText('Steps');
    await waitFor(() => expect(steps.getAttribute('aria-invalid')).toBe('true'));
    expect(steps.getAttribute('aria-describedby')).toContain('plan-steps-error');
    expect(screen.getByText('steps.2: each step rises: 40 follows 50')).toBeTruthy();

    fireEvent.click(submit);
    const rating = screen.getByLabelText('Rating');
    await waitFor(() => expect(rating.getAttribute('aria-invalid')).toBe('true'));
    expect(steps.getAttribute('aria-invalid')).toBeNull();
  });

  it('refuses steps that are not numbers before asking the API', async () => {
    const api = client();
    render(<RolloutPlanSection client={api} />);
    fireEvent.input(await screen.findByLabelText('Steps'), { target: { value: '10, fifty' } });
    fireEvent.click(screen.getByRole('button', { name: 'Put the plan and start its first step' }));
    expect(await screen.findByText(/Give the percents as numbers/)).toBeTruthy();
    expect(api.putRolloutPlan).not.toHaveBeenCalled();
  });

  it('says when the plan could not be loaded, and tries again', async () => {
    const api = client();
    api.rolloutPlan.mockRejectedValueOnce(new ApiError(0, 'The service could not be reached.'));
    render(<RolloutPlanSection client={api} />);
    expect((await screen.findByRole('alert')).textContent).toContain('The service could not be reached.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('table');
  });
});
