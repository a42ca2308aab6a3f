// `npm run bench:ramp`: what one judgement of the guarded ramp costs (SPEC §12) with 10,000
// meetings in the step's window. A local D1 (wrangler's, migrations applied, in
// .wrangler/bench-ramp) is seeded with BENCH_RAMP_MEETINGS meetings (10,000 by default) spread over
// a one-hour step, with proportionate webhook events (4 a meeting), recordings (1 in 5), call
// reports (2 a meeting), ratings (1 in 2) and the per-minute counters. Then the Cron's judgement —
// both platforms' figures over the window (figuresOver, one D1 batch) and the decision — runs
// BENCH_RAMP_RUNS times (20 by default) after a warm-up. Reported: the time of a judgement (median,
// p95) and the rows D1 read for it (its result meta's rows_read, summed over the batch's queries).
// The worker's own modules are loaded through vite (they are written for a bundler); the D1 is
// wrangler's getPlatformProxy, the local workerd D1 of `npm start`.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/d1';
import { runnerImport } from 'vite';
import { getPlatformProxy } from 'wrangler';
import { EXAMPLE_RAMP_PLAN } from '../dev/ramp-plan.ts';
import { positiveInteger } from './local/ports.ts';
import { ROOT } from './local/root.ts';
import { exitCode, spawnWrangler } from './local/wrangler.ts';

const STEP_MS = 60 * 60_000;

// What this script uses of the local D1 and of the worker's modules (typed for workerd and a
// bundler, which Node's type check of the scripts does not load).
interface D1Result {
  meta: { rows_read: number };
}
interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  run(): Promise<D1Result>;
}
interface D1 {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<D1Result[]>;
}
type Database = ReturnType<typeof drizzle>;
interface TimeRange {
  from: number;
  to: number;
}
interface Report {
  figuresOver(db: Database, range: TimeRange): Promise<unknown>;
  metricQueries(db: Database, range: TimeRange): Record<string, { toSQL(): { sql: string; params: unknown[] } }>;
}
interface Decision {
  decide(moment: Record<string, unknown>): { decision: string; reason: string };
}
const DIR = join(ROOT, '.wrangler', 'bench-ramp');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** `count` rows numbered 0… from a recursive CTE, spread evenly over the window: `at` is each row's time. */
const series = (count: number, from: number) =>
  `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1}) ` +
  `SELECT i, ${from} + i * ${STEP_MS} / ${count} AS at, CASE WHEN i % 10 < 6 THEN 'whereby' ELSE 'daily' END AS platform FROM n`;

/** The seed, as the service would have written it over one busy hour. */
function seedStatements(meetings: number, from: number): string[] {
  const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`;
  return [
    // One meeting in 50 is a Daily room's, failed over to Whereby.
    `INSERT INTO meetings (id, room_id, room_name, room_url, host_room_url, start_date, end_date, is_active, platform, failover_from)
     SELECT 'm-' || i, NULL, 'bench-' || i, 'https://bench.example/' || i, '', ${iso('at')}, ${iso(`at + ${STEP_MS}`)}, 0,
       CASE WHEN i % 50 = 0 THEN 'whereby' ELSE platform END, CASE WHEN i % 50 = 0 THEN 'daily' END
     FROM (${series(meetings, from)})`,
    `INSERT INTO webhook_events (platform, event_id, type, meeting_id, outcome, event_at, received_at, delay_ms)
     SELECT platform, 'e-' || i, 'participant.joined', 'm-' || (i / 4), CASE WHEN i % 100 = 0 THEN 'unknown-type' ELSE 'applied' END,
       at - 800, at, abs(random() % 5000)
     FROM (${series(meetings * 4, from)})`,
    `INSERT INTO recordings (id, platform, meeting_id, status, created_at, updated_at)
     SELECT 'r-' || i, platform, 'm-' || (i * 5), CASE WHEN i % 40 = 0 THEN 'failed' ELSE 'stored' END, at, at
     FROM (${series(Math.ceil(meetings / 5), from)})`,
    `INSERT INTO call_reports (meeting_id, platform, report_key, reported_at, joined, failure_reason, seconds_to_join, connected_seconds, degraded_seconds)
     SELECT 'm-' || (i / 2), platform, 'k-' || i, at, i % 25 != 0, CASE WHEN i % 25 = 0 THEN 'camera refused' END,
       abs(random() % 30), 600, abs(random() % 60)
     FROM (${series(meetings * 2, from)})`,
    `INSERT INTO meeting_ratings (meeting_id, platform, rating_key, rated_at, rating)
     SELECT 'm-' || (i * 2), platform, 'k-' || i, at, 1 + abs(random() % 5) FROM (${series(Math.ceil(meetings / 2), from)})`,
    // Each minute's provider calls and failures, per platform: about 3 calls a meeting.
    `INSERT INTO metric_counts (minute, platform, name, count)
     SELECT ${Math.floor(from / 60_000)} + i / 4, CASE WHEN i % 2 = 0 THEN 'whereby' ELSE 'daily' END,
       CASE WHEN i % 4 < 2 THEN 'provider_calls' ELSE 'provider_failures' END,
       CASE WHEN i % 4 < 2 THEN ${Math.ceil((meetings * 3) / 120)} ELSE 1 END
     FROM (${series(60 * 4, from)})`,
  ];
}

async function main() {
  const meetings = positiveInteger('BENCH_RAMP_MEETINGS', 10_000);
  const runs = positiveInteger('BENCH_RAMP_RUNS', 20);
  rmSync(DIR, { recursive: true, force: true });
  process.stderr.write('applying the D1 migrations to a fresh local database ...\n');
  const applied = await exitCode(
    spawnWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', DIR], {
      file: join(DIR, 'wrangler.log'),
    }),
  );
  if (applied !== 0) throw new Error(`applying the migrations failed; see ${join(DIR, 'wrangler.log')}`);

  const { module: report } = await runnerImport<Report>(join(ROOT, 'worker/metrics/report.ts'));
  const { module: decision } = await runnerImport<Decision>(join(ROOT, 'worker/rollout/ramp-decision.ts'));
  const proxy = await getPlatformProxy<{ DB: D1 }>({ persist: { path: join(DIR, 'v3') } });
  try {
    const d1 = proxy.env.DB;
    const to = Date.now();
    const from = to - STEP_MS;
    process.stderr.write(`seeding ${meetings} meetings and their events, recordings, reports and ratings ...\n`);
    for (const statement of seedStatements(meetings, from)) await d1.prepare(statement).run();

    const db = drizzle(d1 as unknown as Parameters<typeof drizzle>[0]);
    const settings = { ...EXAMPLE_RAMP_PLAN, step_minutes: 60, min_meetings: 20 };

    const judge = async () => {
      const figures = await report.figuresOver(db, { from, to });
      return decision.decide({
        settings,
        stepIndex: 0,
        stepStartedAt: from,
        waitingSince: null,
        now: to,
        masterSwitchOn: true,
        figures,
      });
    };

    const first = await judge();
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await judge();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);

    // The same batch through the binding itself, to read what D1 says it read.
    const queries = Object.values(report.metricQueries(db, { from, to })).map((query) => query.toSQL());
    const results = await d1.batch(queries.map(({ sql, params }) => d1.prepare(sql).bind(...params)));
    const rowsRead = results.map((result) => result.meta.rows_read);

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    process.stdout.write(
      [
        `one ramp judgement over a one-hour step with ${meetings} meetings in it (${runs} runs after a warm-up):`,
        `  time: median ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}, max ${ms(times.at(-1) ?? Number.NaN)}`,
        `  D1: 1 batch of ${queries.length} queries, ${rowsRead.reduce((a, b) => a + b, 0)} rows read (${rowsRead.join(' + ')})`,
        `  decision: ${first.decision} (${first.reason})`,
        '',
      ].join('\n'),
    );
  } finally {
    await proxy.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-ramp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
