import { useEffect, useState } from 'preact/hooks';
import type { GuardName } from '../../../worker/rollout/ramp-decision.ts';
import { adminApi } from '../../admin-api.ts';
import { type ApiError, type RolloutPlan, type RolloutPlanInput, toApiError } from '../../api.ts';
import { Loading, Problem } from '../../ui/Status.tsx';
import './admin.css';

// `/admin`'s guarded ramp (SPEC §12): the plan's form, where it stands (its steps with the
// current one marked, the next check), pause and resume, and the Cron's last verdicts with the
// figures behind each guard.

type Client = Pick<typeof adminApi, 'rolloutPlan' | 'putRolloutPlan' | 'pauseRolloutPlan' | 'resumeRolloutPlan'>;
type Load = { kind: 'loading' } | { kind: 'failed'; error: ApiError } | { kind: 'ready'; plan: RolloutPlan | null };

/** Each guard as people read it: what it compares, in which unit its margin is. */
const GUARDS = {
  max_error_rate_delta: { label: 'Provider error rate', unit: 'pp', hint: 'percentage points more than Whereby' },
  max_recording_failure_delta: { label: 'Recording failures', unit: 'pp', hint: 'percentage points more than Whereby' },
  max_join_failure_delta: { label: 'Join failures', unit: 'pp', hint: 'percentage points more than Whereby' },
  max_webhook_lag_seconds_delta: { label: 'Webhook lag (p95)', unit: 's', hint: 'seconds more than Whereby' },
  min_rating_delta: { label: 'Rating', unit: 'points', hint: 'rating points (1–5) lower than Whereby' },
} as const satisfies Record<GuardName, { label: string; unit: string; hint: string }>;
const GUARD_NAMES = Object.keys(GUARDS) as GuardName[];

const STATES: Record<RolloutPlan['state'], string> = {
  running: 'Running: the Cron judges each step',
  paused: 'Paused: the percent stays, nothing is judged until it is resumed',
  'rolled-back': 'Rolled back: the master switch is off; put a new plan to start again',
  done: 'Done: every step passed',
  replaced: 'Replaced by a later plan',
};

const DECISIONS: Record<RolloutPlan['verdicts'][number]['decision'], string> = {
  advance: 'Advanced',
  wait: 'Waited',
  pause: 'Paused',
  'roll-back': 'Rolled back',
  done: 'Done',
};

const VERDICTS = { pass: 'Pass', fail: 'Fail', 'not-judged': 'Not judged' } as const;

const DEFAULTS: RolloutPlanInput = {
  steps: [10, 25, 50, 100],
  step_minutes: 60,
  min_meetings: 20,
  guards: {
    max_error_rate_delta: 2,
    max_recording_failure_delta: 5,
    max_join_failure_delta: 5,
    max_webhook_lag_seconds_delta: 30,
    min_rating_delta: 0.5,
  },
};

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
const figure = (value: number | null, unit: string) => (value === null ? '—' : `${value} ${unit}`);

export function RolloutPlanSection({ client = adminApi }: { client?: Client }) {
  const [state, setState] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    client.rolloutPlan().then(
      (plan) => current && setState({ kind: 'ready', plan }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  if (state.kind === 'loading') return <Loading>Loading the rollout plan…</Loading>;
  if (state.kind === 'failed')
    return (
      <Problem
        title="The rollout plan could not be loaded"
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        }
      >
        <p>{state.error.detail}</p>
      </Problem>
    );

  const { plan } = state;
  async function act(action: () => Promise<RolloutPlan>, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      setState({ kind: 'ready', plan: await action() });
      setMessage({ text: done, error: false });
    } catch (caught) {
      setMessage({ text: toApiError(caught, String(caught)).detail, error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Guarded ramp</h2>
      <p class="summary">
        The Cron raises <code>DAILY_MIGRATION_PERCENT</code> step by step while Daily's figures over each step stay
        within the margins of Whereby's, and turns <code>DAILY_MIGRATION_ENABLED</code> off by itself when one does not.
        Meetings in progress stay where they are.
      </p>
      {plan ? (
        <>
          <PlanStatus plan={plan} />
          <div class="actions">
            {plan.state === 'running' && (
              <button
                type="button"
                class="btn"
                disabled={busy}
                onClick={() => act(client.pauseRolloutPlan, 'Paused: the percent stays where it is.')}
              >
                Pause
              </button>
            )}
            {plan.state === 'paused' && (
              <button
                type="button"
                class="btn btn-primary"
                disabled={busy}
                onClick={() => act(client.resumeRolloutPlan, 'Resumed: the current step starts afresh.')}
              >
                Resume
              </button>
            )}
          </div>
          <p class={message?.error ? 'form-error' : 'notice-line'} role="status" aria-live="polite">
            {message?.text ?? ''}
          </p>
          <Verdicts plan={plan} />
        </>
      ) : (
        <p class="empty">No plan yet: the percent changes only by hand until one is put.</p>
      )}
      <PlanForm
        start={plan ?? DEFAULTS}
        replacing={plan?.state === 'running' || plan?.state === 'paused'}
        put={(input) => client.putRolloutPlan(input)}
        onPut={(next) => {
          setState({ kind: 'ready', plan: next });
          setMessage({ text: `Plan put: ${next.current_step.percent}% written, the master switch on.`, error: false });
        }}
      />
    </section>
  );
}

function PlanStatus({ plan }: { plan: RolloutPlan }) {
  const step = plan.current_step;
  return (
    <dl class="plan-status">
      <dt>State</dt>
      <dd>
        <strong>{plan.state}</strong> — {STATES[plan.state]}
      </dd>
      <dt>Steps</dt>
      <dd>
        <ol class="plan-steps" aria-label={`Step ${step.index + 1} of ${plan.steps.length}`}>
          {plan.steps.map((percent, index) => (
            <li key={percent} aria-current={index === step.index ? 'step' : undefined}>
              {index === step.index ? <strong>[{percent}%]</strong> : `${percent}%`}
            </li>
          ))}
        </ol>
      </dd>
      <dt>Current step</dt>
      <dd>
        {step.started_at ? `began ${time(step.started_at)}` : 'its percent is written by the next Cron run'}
        {step.waiting_since && `; waiting for ${plan.min_meetings} Daily meetings since ${time(step.waiting_since)}`}
        {`; ${plan.step_minutes} minutes a step`}
      </dd>
      <dt>Next check</dt>
      <dd>
        {plan.next_check_at
          ? `due ${time(plan.next_check_at)}, on the first Cron run (every 5 minutes) from then`
          : 'none while the plan is not running'}
      </dd>
    </dl>
  );
}

function Verdicts({ plan }: { plan: RolloutPlan }) {
  if (plan.verdicts.length === 0) return <p class="empty">No verdict yet: the Cron judges the step on its next run.</p>;
  return (
    <div class="verdicts">
      <h3>Last verdicts</h3>
      {plan.verdicts.map((verdict, index) => (
        <details key={verdict.at + verdict.decision} open={index === 0}>
          <summary>
            {time(verdict.at)} · {verdict.percent}% · <strong>{DECISIONS[verdict.decision]}</strong>: {verdict.reason}
          </summary>
          <div class="table-scroll">
            <table class="metrics">
              <caption>
                {verdict.daily_meetings} Daily meetings and {verdict.daily_provider_calls} Daily API calls in the step's
                window
              </caption>
              <thead>
                <tr>
                  <th scope="col">Guard</th>
                  <th scope="col">Daily</th>
                  <th scope="col">Whereby</th>
                  <th scope="col">Worse by</th>
                  <th scope="col">Margin</th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {verdict.guards.map((guard) => {
                  const { label, unit } = GUARDS[guard.guard];
                  return (
                    <tr key={guard.guard} class={`guard-${guard.verdict}`}>
                      <th scope="row">{label}</th>
                      <td>{figure(guard.daily, unit)}</td>
                      <td>{figure(guard.whereby, unit)}</td>
                      <td>{figure(guard.delta, unit)}</td>
                      <td>{figure(guard.margin, unit)}</td>
                      <td>{VERDICTS[guard.verdict]}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </details>
      ))}
    </div>
  );
}

type FormField = 'steps' | 'step_minutes' | 'min_meetings' | `guards.${GuardName}`;

/** The API's field (`steps.2`, `guards.min_rating_delta`) as the input that shows it. */
const formFieldOf = (field: string | undefined): FormField | null => {
  if (!field) return null;
  if (field.startsWith('steps')) return 'steps';
  if (field === 'step_minutes' || field === 'min_meetings') return field;
  const guard = GUARD_NAMES.find((name) => field === `guards.${name}`);
  return guard ? `guards.${guard}` : null;
};

function PlanForm(props: {
  start: RolloutPlanInput;
  replacing: boolean;
  put: (input: RolloutPlanInput) => Promise<RolloutPlan>;
  onPut: (plan: RolloutPlan) => void;
}) {
  const [values, setValues] = useState<Record<FormField, string>>(() => ({
    steps: props.start.steps.join(', '),
    step_minutes: String(props.start.step_minutes),
    min_meetings: String(props.start.min_meetings),
    ...(Object.fromEntries(GUARD_NAMES.map((name) => [`guards.${name}`, String(props.start.guards[name])])) as Record<
      `guards.${GuardName}`,
      string
    >),
  }));
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (field: FormField) => (event: { currentTarget: HTMLInputElement }) =>
    setValues({ ...values, [field]: event.currentTarget.value });

  async function submit(event: Event) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    const steps = values.steps.split(',').map((step) => step.trim());
    if (steps.some((step) => step === '' || !Number.isFinite(Number(step)))) {
      setErrors({ steps: 'Give the percents as numbers separated by commas, such as 10, 50, 100.' });
      return;
    }
    setSaving(true);
    try {
      props.onPut(
        await props.put({
          steps: steps.map(Number),
          step_minutes: Number(values.step_minutes),
          min_meetings: Number(values.min_meetings),
          guards: Object.fromEntries(GUARD_NAMES.map((name) => [name, Number(values[`guards.${name}`])])) as Record<
            GuardName,
            number
          >,
        }),
      );
    } catch (caught) {
      const error = toApiError(caught, String(caught));
      const field = formFieldOf(error.field);
      if (field) setErrors({ [field]: error.detail });
      else setFormError(error.detail);
    } finally {
      setSaving(false);
    }
  }

  const input = (field: FormField, label: string, hint: string, unit?: string) => {
    const id = `plan-${field.replace(/[._]/g, '-')}`;
    return (
      <div class="field" key={field}>
        <label for={id}>{label}</label>
        <div class="inline narrow">
          <input
            id={id}
            name={field}
            inputMode={field === 'steps' ? 'text' : 'decimal'}
            value={values[field]}
            onInput={set(field)}
            aria-describedby={`${id}-hint${errors[field] ? ` ${id}-error` : ''}`}
            aria-invalid={errors[field] ? true : undefined}
          />
          {unit && <span aria-hidden="true">{unit}</span>}
        </div>
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
        {errors[field] && (
          <p class="field-error" id={`${id}-error`}>
            {errors[field]}
          </p>
        )}
      </div>
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="plan-form-title">
      <h3 id="plan-form-title">{props.replacing ? 'Put a new plan (replaces this one)' : 'Put a plan'}</h3>
      {input('steps', 'Steps', 'Percents of all rooms on Daily, rising, each 1 to 100, separated by commas.', '%')}
      {input('step_minutes', 'Minutes a step', 'How long each step runs on passing verdicts (1 to 10080).', 'min')}
      {input(
        'min_meetings',
        'Daily meetings a step needs',
        'Made on Daily or failed over from it, before a step is judged.',
      )}
      <fieldset>
        <legend>How much worse Daily may be than Whereby</legend>
        {GUARD_NAMES.map((name) =>
          input(`guards.${name}`, GUARDS[name].label, `At most this many ${GUARDS[name].hint}.`, GUARDS[name].unit),
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={saving}>
          {saving ? 'Putting the plan…' : 'Put the plan and start its first step'}
        </button>
      </div>
      {formError && (
        <p class="form-error" role="alert">
          {formError}
        </p>
      )}
    </form>
  );
}
