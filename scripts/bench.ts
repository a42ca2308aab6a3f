// `npm run bench`: every benchmark, on one local service (started exactly as `npm start` starts
// it, on a free port with its own fresh state), ending with one table of ratios:
//  - request rates of routes, side by side: on a shared 2-core machine an absolute figure says
//    little, so cases run in alternating rounds and are compared with each other as ratios;
//  - the recording copy through the Worker against curl copying the same bytes (bench-recording.ts);
//  - the join page's weight against its budget, and Lighthouse's scores (bench-pages.ts).
//
// A new request benchmark is one more entry in CASES (and, if it is to be compared, in RATIOS).
// BENCH_ROUNDS, BENCH_SECONDS and BENCH_CONNECTIONS override the load (3 × 10 s at 10; BENCH_ROUNDS=0
// leaves the request rates out);
// BENCH_CASES the cases to run, by key (all; e.g. health,floor,join); BENCH_LOG_LEVEL wrangler's
// --log-level (warn: no per-request log lines); BENCH_COPY_MIB the sizes of the recording copies
// (256,1024; 0 leaves them out); BENCH_PAGES=0 leaves the pages' figures out (weight and
// Lighthouse); BENCH_LIGHTHOUSE_RUNS the Lighthouse runs per page (3; 0 leaves Lighthouse out);
// BENCH_WITHOUT_SESSIONS=1 starts a second service with D1_SESSIONS=off and runs the join
// against it too, in the same rounds, to show what the D1 sessions cost the join.
//
// The floor: GET /v1/health?deep=1 is health plus exactly one D1 round trip. Health also reads
// the two circuit breakers (Durable Objects, issue 12), which a join of an active meeting does not.

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { dailyEvent, deliveryHeaders } from '../dev/provider-webhooks.ts';
import { BEFORE_SDK_BUDGET_BYTES, benchPages, LIGHTHOUSE_GOAL, type PageFigures, pageRows } from './bench-pages.ts';
import { benchRecordingCopies, type CopyFigures, copyTable } from './bench-recording.ts';
import { freePort, positiveInteger } from './local/ports.ts';
import { ROOT } from './local/root.ts';
import { type LocalService, startLocalService } from './local/service.ts';

/** What the cases may refer to, made ready before any load runs. */
interface Fixture {
  /** A room with an active meeting. */
  roomName: string;
  meetingId: string;
  /** Daily's room name of an active Daily meeting, and the service's Daily webhook secret. */
  dailyRoomName: string;
  dailyWebhookSecret: string;
}

interface BenchRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request anew (a fresh event id and signature), where repeats would measure something else. */
  fresh?: () => Promise<{ headers: Record<string, string>; body: string }>;
}

interface BenchCase {
  /** What BENCH_CASES and RATIOS call it. */
  key: string;
  name: string;
  request(fixture: Fixture): BenchRequest;
  /** Connections for this case instead of the run's. */
  connections?: number;
  /** Sent to the second service, the one with D1_SESSIONS=off (BENCH_WITHOUT_SESSIONS=1). */
  withoutSessions?: boolean;
}

/** A Daily participant.joined of a new participant, signed as Daily signs (verify + record + apply). */
async function signedDailyJoin({ dailyRoomName, dailyWebhookSecret }: Fixture) {
  const body = JSON.stringify(
    dailyEvent('participant.joined', {
      room: dailyRoomName,
      session_id: randomUUID(),
      user_id: null,
      user_name: 'Bench',
      joined_at: Math.floor(Date.now() / 1000),
      owner: false,
    }),
  );
  return { headers: await deliveryHeaders('daily', body, dailyWebhookSecret), body };
}

interface Ratio {
  label: string;
  numerator: string;
  denominator: string;
  /** None: a figure to read, not a goal (the floor's own ratio, how close a route is to it). */
  goal?: number;
}

// The join's case is its hot path: a room whose meeting is active, asked anonymously. The load
// generator's address is exempt from the rate limits (main() sets RATE_LIMIT_EXEMPT_IPS), or the
// case would measure 429s.
// The join counted by its rate limit: each request from an address of its own (wrangler dev keeps
// the client's CF-Connecting-IP), none exempt, so the limit is asked every time and never refuses.
let countedClients = 0;
const countedClient = () => {
  const n = countedClients++;
  return { 'cf-connecting-ip': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
};
const joinOf = (roomName: string): BenchRequest => ({ method: 'POST', path: `/v1/rooms/${roomName}/meeting` });

const CASES: BenchCase[] = [
  { key: 'health', name: 'GET /v1/health', request: () => ({ method: 'GET', path: '/v1/health' }) },
  {
    key: 'floor',
    name: 'GET /v1/health?deep=1 (one D1 read: the floor)',
    request: () => ({ method: 'GET', path: '/v1/health?deep=1' }),
  },
  { key: 'join', name: 'POST /v1/rooms/{room}/meeting (active meeting)', request: ({ roomName }) => joinOf(roomName) },
  {
    key: 'join-counted',
    name: 'POST /v1/rooms/{room}/meeting, counted by the rate limit',
    request: ({ roomName }) => ({ ...joinOf(roomName), fresh: async () => ({ headers: countedClient(), body: '' }) }),
  },
  {
    key: 'join-without-sessions',
    name: 'POST /v1/rooms/{room}/meeting, D1_SESSIONS=off',
    request: ({ roomName }) => joinOf(roomName),
    withoutSessions: true,
  },
  {
    key: 'webhook',
    name: 'POST /v1/daily/webhook (signed, new event)',
    request: (fixture) => ({ method: 'POST', path: '/v1/daily/webhook', fresh: () => signedDailyJoin(fixture) }),
  },
  {
    key: 'webhook-20',
    name: 'POST /v1/daily/webhook at 20 connections',
    request: (fixture) => ({ method: 'POST', path: '/v1/daily/webhook', fresh: () => signedDailyJoin(fixture) }),
    connections: 20,
  },
];

// Issue 11's goals: join / health ≥ 0.85, webhook / health ≥ 0.8.
const RATIOS: Ratio[] = [
  { label: 'floor / health', numerator: 'floor', denominator: 'health' },
  { label: 'meeting join / health', numerator: 'join', denominator: 'health', goal: 0.85 },
  { label: 'meeting join / floor', numerator: 'join', denominator: 'floor' },
  { label: 'webhook / health', numerator: 'webhook', denominator: 'health', goal: 0.8 },
  { label: 'webhook / floor', numerator: 'webhook', denominator: 'floor' },
  // The rate limit and the sessions may each cost the join at most 5 %.
  { label: 'join counted by its rate limit / exempt', numerator: 'join-counted', denominator: 'join', goal: 0.95 },
  { label: 'join with D1 sessions / without', numerator: 'join', denominator: 'join-without-sessions', goal: 0.95 },
];

const MiB = 1024 * 1024;

/** Signed events made ahead of a round; more than a round sends, so none repeats (a repeat is a duplicate). */
const PREPARED_PER_ROUND = 20_000;

/** Each case runs this long, unmeasured, before the first round: the first requests compile code. */
const WARM_UP_SECONDS = 2;

interface Load {
  rounds: number;
  seconds: number;
  connections: number;
}

interface CaseFigures {
  key: string;
  name: string;
  /** 2xx answers per second, one figure per round. */
  perRound: number[];
  meanRate: number;
  p50: number;
  p99: number;
  failed: number;
}

async function call(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * A room on the default platform, joined once so that later joins find an active meeting, and
 * a room moved to Daily by the flags, whose meeting the webhook cases send events for.
 */
async function prepare(service: LocalService): Promise<Fixture> {
  const roomName = 'bench-room';
  await call(`${service.url}/v1/rooms`, 'POST', { name: roomName });
  const meeting = await call(`${service.url}/v1/rooms/${roomName}/meeting`, 'POST');
  await call(`${service.url}/v1/flags`, 'PUT', {
    DAILY_MIGRATION_ENABLED: true,
    DAILY_MIGRATION_ROOM_IDS: ['bench-daily'],
    DAILY_MIGRATION_PERCENT: 0,
  });
  await call(`${service.url}/v1/rooms`, 'POST', { name: 'bench-daily' });
  const daily = await call(`${service.url}/v1/rooms/bench-daily/meeting`, 'POST');
  if (daily.platform !== 'daily') throw new Error('the flags did not move bench-daily to Daily');
  const dailyWebhookSecret = service.settings.values.DAILY_WEBHOOK_SECRET;
  if (!dailyWebhookSecret) throw new Error('the local service has no DAILY_WEBHOOK_SECRET');
  return { roomName, meetingId: String(meeting.id), dailyRoomName: String(daily.room_name), dailyWebhookSecret };
}

async function runRound(url: string, bench: BenchCase, fixture: Fixture, load: Load): Promise<autocannon.RawResult> {
  const request = bench.request(fixture);
  // Fresh requests are made before the round, so the load generator (on the same two cores)
  // spends its time sending, not signing: the figure is the Worker's, as for the other cases.
  const make = request.fresh;
  const prepared = make ? await Promise.all(Array.from({ length: PREPARED_PER_ROUND }, () => make())) : [];
  let used = 0;
  const fresh = make && (() => prepared[used++ % prepared.length]!);
  return autocannon({
    url: `${url}${request.path}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    requests: fresh ? [{ setupRequest: (sent) => ({ ...sent, ...fresh() }) }] : undefined,
    connections: bench.connections ?? load.connections,
    duration: load.seconds,
    skipAggregateResult: true,
  });
}

/** A running service and what the cases refer to on it. */
interface Target {
  service: LocalService;
  fixture: Fixture;
}

/** Every case once per round, in turn, so that drift of the machine touches all of them alike. */
async function measure(
  cases: BenchCase[],
  targetOf: (bench: BenchCase) => Target,
  load: Load,
  signal: AbortSignal,
): Promise<{ rates: CaseFigures[]; loads: number[] }> {
  if (load.rounds === 0) return { rates: [], loads: [] };
  process.stderr.write('warming up ...\n');
  const run = (bench: BenchCase, roundLoad: Load) => {
    const { service, fixture } = targetOf(bench);
    return runRound(service.url, bench, fixture, roundLoad);
  };
  for (const bench of cases) await run(bench, { ...load, seconds: WARM_UP_SECONDS });
  const results = new Map<string, autocannon.RawResult[]>(cases.map((bench) => [bench.key, []]));
  /** The machine's 1-minute load average as each case began. */
  const loads: number[] = [];
  for (let round = 1; round <= load.rounds; round++) {
    for (const bench of cases) {
      signal.throwIfAborted();
      loads.push(loadavg()[0]!);
      process.stderr.write(`round ${round}/${load.rounds}: ${bench.name} ...\n`);
      results.get(bench.key)!.push(await run(bench, load));
    }
  }
  return {
    rates: cases.map((bench) => figures(bench, results.get(bench.key)!, targetOf(bench).service.url, load)),
    loads,
  };
}

function figures(bench: BenchCase, rounds: autocannon.RawResult[], url: string, load: Load): CaseFigures {
  const perRound = rounds.map((round) => round['2xx'] / round.duration);
  const merged = autocannon.aggregateResult(rounds, { url, connections: load.connections });
  return {
    key: bench.key,
    name: bench.name,
    perRound,
    meanRate: perRound.reduce((sum, rate) => sum + rate, 0) / perRound.length,
    p50: merged.latency.p50,
    p99: merged.latency.p99,
    failed: rounds.reduce((sum, round) => sum + round.non2xx + round.errors + round.timeouts, 0),
  };
}

/** Rows as aligned columns: figures to the right, words to the left. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const numeric = rows[0]!.map((_, column) => rows.slice(1).every((row) => /^[\d.]+( |$)/.test(row[column]!)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function rateTable(all: CaseFigures[]): string[][] {
  return [
    ['case', 'req/s (mean)', 'per round', 'p50 ms', 'p99 ms', 'failed'],
    ...all.map((row) => [
      row.name,
      row.meanRate.toFixed(0),
      row.perRound.map((rate) => rate.toFixed(0)).join(' / '),
      String(row.p50),
      String(row.p99),
      String(row.failed),
    ]),
  ];
}

/** None: a figure to read. */
type Goal = { atLeast: number } | { atMost: number } | null;
const goalText = (goal: Goal) => (!goal ? '-' : 'atLeast' in goal ? `≥ ${goal.atLeast}` : `≤ ${goal.atMost}`);
const met = (value: number, goal: Goal) =>
  !goal ? '-' : ('atLeast' in goal ? value >= goal.atLeast : value <= goal.atMost) ? 'yes' : 'NO';

/** The one table of ratios: each row a figure of this run against its counterpart or budget. */
function summary(rates: CaseFigures[], copies: CopyFigures[], pages: PageFigures | null): string[][] {
  const rows: string[][] = [['ratio', 'value', 'goal', 'met', 'what was compared']];
  const add = (label: string, value: number, goal: Goal, what: string) =>
    rows.push([label, value.toFixed(2), goalText(goal), met(value, goal), what]);

  const byKey = new Map(rates.map((row) => [row.key, row]));
  for (const { label, numerator, denominator, goal } of RATIOS) {
    const top = byKey.get(numerator);
    const bottom = byKey.get(denominator);
    if (!top || !bottom) continue;
    // Rounds ran back to back, so each round's ratio shows how steady the figure is.
    const perRound = top.perRound.map((rate, round) => (rate / bottom.perRound[round]!).toFixed(2)).join(' / ');
    add(
      label,
      top.meanRate / bottom.meanRate,
      goal === undefined ? null : { atLeast: goal },
      `${top.meanRate.toFixed(0)} / ${bottom.meanRate.toFixed(0)} req/s; per round ${perRound}`,
    );
  }
  for (const copy of copies) {
    const mib = copy.size / MiB;
    add(
      `recording copy ${mib} MiB: Worker / curl`,
      copy.curlSeconds / copy.workerSeconds,
      // Issue 11's goal: 0.8 of curl at 1 GiB.
      { atLeast: 0.8 },
      `${(mib / copy.workerSeconds).toFixed(1)} / ${(mib / copy.curlSeconds).toFixed(1)} MB/s`,
    );
    add(
      `recording copy ${mib} MiB: Worker / curl in the same parts`,
      copy.curlInPartsSeconds / copy.workerSeconds,
      null,
      `${(mib / copy.workerSeconds).toFixed(1)} / ${(mib / copy.curlInPartsSeconds).toFixed(1)} MB/s`,
    );
    const growth = (copy.peakRssBytes - copy.idleRssBytes) / MiB;
    add(
      `recording copy ${mib} MiB: memory growth / 64 MiB`,
      growth / 64,
      { atMost: 1 },
      `workerd RSS grew ${growth.toFixed(1)} MiB`,
    );
  }
  if (!pages) return rows;
  const beforeSdk = Math.max(pages.weight.whereby.beforeSdk, pages.weight.daily.beforeSdk);
  add(
    'join page before the SDK / budget',
    beforeSdk / BEFORE_SDK_BUDGET_BYTES,
    { atMost: 1 },
    `${(beforeSdk / 1024).toFixed(1)} KB of JS and CSS (gzip) / 15 KB`,
  );
  for (const { page, median } of pages.lighthouse) {
    add(
      `Lighthouse ${page}: performance / ${LIGHTHOUSE_GOAL}`,
      median.performance / LIGHTHOUSE_GOAL,
      { atLeast: 1 },
      `median score ${median.performance}, TBT ${median.totalBlockingTimeMs} ms`,
    );
    add(
      `Lighthouse ${page}: accessibility / ${LIGHTHOUSE_GOAL}`,
      median.accessibility / LIGHTHOUSE_GOAL,
      { atLeast: 1 },
      `median run's score ${median.accessibility}`,
    );
    add(
      `Lighthouse ${page}: best practices / ${LIGHTHOUSE_GOAL}`,
      median.bestPractices / LIGHTHOUSE_GOAL,
      { atLeast: 1 },
      `median run's score ${median.bestPractices}`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const load: Load = {
    rounds: process.env.BENCH_ROUNDS === '0' ? 0 : positiveInteger('BENCH_ROUNDS', 3),
    seconds: positiveInteger('BENCH_SECONDS', 10),
    connections: positiveInteger('BENCH_CONNECTIONS', 10),
  };
  const withoutSessions = process.env.BENCH_WITHOUT_SESSIONS === '1';
  const chosen = process.env.BENCH_CASES?.split(',').map((key) => key.trim());
  const unknown = chosen?.filter((key) => !CASES.some((bench) => bench.key === key));
  if (unknown?.length)
    throw new Error(`BENCH_CASES names no case ${unknown.join(', ')} (${CASES.map((c) => c.key).join(', ')})`);
  const cases = CASES.filter(
    (bench) => (!chosen || chosen.includes(bench.key)) && (withoutSessions || !bench.withoutSessions),
  );
  const loadBefore = loadavg()[0]!;
  const dir = join(ROOT, '.wrangler', 'bench');
  rmSync(dir, { recursive: true, force: true });
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));

  // The load comes from this machine, many times a minute on one room: a local load test is what
  // RATE_LIMIT_EXEMPT_IPS is for (SPEC §1), so the rates measure the Worker, not its rate limit.
  process.env.RATE_LIMIT_EXEMPT_IPS = '127.0.0.1';
  const start = async (name: string, vars?: Record<string, string>) => {
    process.stderr.write(`starting the local service (wrangler output: ${join(dir, `${name}.log`)}) ...\n`);
    return startLocalService({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: join(dir, `${name}-state`),
      // Its own bucket directory: two services at once must not share one.
      s3Directory: join(dir, `${name}-s3`),
      output: { file: join(dir, `${name}.log`) },
      // Log lines (wrangler's and the Worker's own) cost alike for every case; leave them out.
      logLevel: process.env.BENCH_LOG_LEVEL || 'warn',
      // A developer's .dev.vars (a real provider's key, say) must not reach this service.
      devVars: false,
      vars,
      signal: controller.signal,
    });
  };
  const services: LocalService[] = [];
  const started = async (name: string, vars?: Record<string, string>): Promise<Target> => {
    const service = await start(name, vars);
    services.push(service);
    return { service, fixture: await prepare(service) };
  };
  try {
    const main = await started('wrangler');
    const plain = cases.some((bench) => bench.withoutSessions)
      ? await started('wrangler-without-sessions', { D1_SESSIONS: 'off' })
      : undefined;
    const { rates, loads } = await measure(
      cases,
      (bench) => (bench.withoutSessions && plain ? plain : main),
      load,
      controller.signal,
    );
    // The join cases must have measured reuse: the room still has the meeting it had before.
    for (const { service, fixture } of plain ? [main, plain] : [main]) {
      const after = await call(`${service.url}/v1/rooms/${fixture.roomName}/meeting`, 'POST');
      if (after.id !== fixture.meetingId)
        throw new Error('the join case created a new meeting instead of reusing the active one');
    }

    const copySizes = (process.env.BENCH_COPY_MIB ?? '256,1024')
      .split(',')
      .map(Number)
      .filter((mib) => mib > 0);
    const copies = await benchRecordingCopies(
      main.service,
      copySizes.map((mib) => mib * MiB),
    );
    const withPages = process.env.BENCH_PAGES !== '0';
    const lighthouseRuns = process.env.BENCH_LIGHTHOUSE_RUNS === '0' ? 0 : positiveInteger('BENCH_LIGHTHOUSE_RUNS', 3);
    const pages = withPages
      ? await benchPages(
          main.service.url,
          { whereby: main.fixture.roomName, daily: 'bench-daily' },
          lighthouseRuns,
          join(dir, 'lighthouse'),
        )
      : null;

    const header = `${load.rounds} alternating rounds × ${load.seconds} s at ${load.connections} connections, ${services.length === 1 ? 'one wrangler dev' : 'two wrangler devs (one with D1_SESSIONS=off)'} on 127.0.0.1`;
    // Other work on the machine moves every figure; its load says how much to trust them.
    const during = loads.length ? `${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}` : '-';
    const machine = `machine load (1 min average) before / during (min-max) / after: ${loadBefore.toFixed(2)} / ${during} / ${loadavg()[0]!.toFixed(2)}`;
    process.stdout.write(`${header}\n${machine}\n`);
    if (rates.length) process.stdout.write(`\n${table(rateTable(rates))}\n`);
    if (copies.length) process.stdout.write(`\n${table(copyTable(copies))}\n`);
    if (pages) process.stdout.write(`\n${table([['page', 'value', 'goal'], ...pageRows(pages)])}\n`);
    process.stdout.write(`\n${table(summary(rates, copies, pages))}\n`);
    if (pages && lighthouseRuns)
      process.stdout.write(`\nLighthouse reports: ${join(dir, 'lighthouse')}/lighthouse-*.json\n`);
    if (rates.some((row) => row.failed > 0)) {
      process.stderr.write('some requests failed: the figures above are not comparable (see the wrangler log)\n');
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(services.map((service) => service.stop()));
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
