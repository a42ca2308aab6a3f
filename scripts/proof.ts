// `npm run test:proof`: the proof suite of issue 6, against the running local product (one
// `wrangler dev` started as `npm start` starts it, on a free port with fresh state of its own
// under .wrangler/proof, .dev.vars left unread, and a real identity provider: a JWKS served here).
//
// 1. Hostile input: over 500 malformed, tampered, replayed, oversized or unauthorised requests
//    across every operation of GET /v1/openapi.json, each from a client address of its own, then
//    runs against the rate limits (SPEC §14) from addresses of their own: a burst past a limit
//    answers 429 and changes nothing, while another room, meeting or address, an exempt address
//    and a provider's authentic delivery are not held back. None may answer 5xx; each must answer the
//    status the routes give for it, as JSON with a `detail` (or the documented 200 of a replay or
//    of Daily's ping); and nothing may change: every table of the local D1, the bucket's files,
//    the rollout flags and the providers (no call made to either stand-in) are compared before
//    and after. The one exception is the rollout's counters (metric_counts): counting refused
//    and repeated webhooks is their job, so they must grow by exactly the deliveries answered so.
// 2. Hostile answers from the providers (SPEC §14), after the snapshots since they reach the
//    providers: each stand-in answering a room URL off its domain (javascript:, data:, another
//    host, http) must make the join a 502 with no meeting stored, and a recording's download link
//    that redirects to another host must fail the copy for good without that host being asked.
// 3. A burst of correctly signed webhooks of both providers (fresh event ids, joins and leaves)
//    on 20 concurrent connections for 30 s: every event answered 2xx must be in webhook_events
//    exactly once, and each meeting's num_clients must be what the events sent make it.
// 4. A burst of joins during a Daily outage (SPEC §9) on 10 connections for 40 s: rooms on Daily
//    joined over and over while Daily's API answers 503 to everything. Every join must answer 2xx
//    with its room's one active meeting (failed over to Whereby), the meeting going on at Daily
//    must stay there, and Daily must hear only the breaker's trial creates once it is open. It
//    reports the joins' latency and how soon the first failed-over meeting came.
//
// Exits non-zero, saying what broke, on any violation. PROOF_BURST_SECONDS and
// PROOF_BURST_CONNECTIONS change the burst (30 s at 20), PROOF_OUTAGE_SECONDS and
// PROOF_OUTAGE_CONNECTIONS the outage's (40 s at 10).
//
// This file runs the proof and reports; its parts are in scripts/proof/: setup.ts (the service's
// settings, the tokens, the fixtures), wire.ts (requests to the service), attack.ts (a hostile
// request: sending it and judging its answer), hostile.ts, webhook-attacks.ts and
// rate-limit-attacks.ts (the lists of them), state.ts (what must not change, read before and
// after), provider-answers.ts (the providers' hostile answers), burst.ts (the burst and its
// check), outage.ts (the joins during Daily's outage). Its webhooks are signed and shaped as the
// providers sign and shape them by dev/provider-webhooks.ts, which the worker tests use too.

import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { startIdentityProvider } from '../test/identity-provider.ts';
import { freePort } from './local/ports.ts';
import { type LocalService, startLocalService } from './local/service.ts';
import { judge, operations, pool, runAttack } from './proof/attack.ts';
import { BURST_CONNECTIONS, BURST_SECONDS, burst } from './proof/burst.ts';
import { attacks, genericAttacks } from './proof/hostile.ts';
import { OUTAGE_CONNECTIONS, OUTAGE_SECONDS, outage } from './proof/outage.ts';
import { hostileProviderAnswers } from './proof/provider-answers.ts';
import { rateLimitAttacks, runRateLimits } from './proof/rate-limit-attacks.ts';
import {
  configureEnvironment,
  DIR,
  makeTokens,
  PERSIST_TO,
  prepare,
  S3_DIRECTORY,
  WRANGLER_LOG,
} from './proof/setup.ts';
import {
  compareDb,
  counters,
  expectedCounts,
  objectCount,
  providerCalls,
  snapshotBucket,
  snapshotDb,
} from './proof/state.ts';
import { J, must } from './proof/wire.ts';

const ATTACK_CONCURRENCY = 4;
const MIN_ATTACKS = 500;

/** What broke; printed at the end, and the exit code is 1 when there is any. */
const violations: string[] = [];
const violation = (text: string) => violations.push(text);

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// The run, and its report.

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const loadBefore = loadavg()[0]!;
  rmSync(DIR, { recursive: true, force: true });
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));

  const identity = await startIdentityProvider();
  let service: LocalService | undefined;
  try {
    const secrets = configureEnvironment(identity);
    const tokens = await makeTokens(identity);
    process.stderr.write(
      `proof: starting the local service (wrangler output: ${relative(process.cwd(), WRANGLER_LOG)}) ...\n`,
    );
    let phase = Date.now();
    service = await startLocalService({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: PERSIST_TO,
      s3Directory: S3_DIRECTORY,
      output: { file: WRANGLER_LOG },
      logLevel: 'warn',
      devVars: false,
      signal: controller.signal,
    });
    const health = await must(service.url, 'GET', '/v1/health');
    if (health.integrations?.sign_in !== 'identity-provider')
      throw new Error(`the service does not sign in through the JWKS (sign_in: ${health.integrations?.sign_in})`);
    const times: [string, string][] = [['start', elapsed(phase)]];

    phase = Date.now();
    const fixture = await prepare(service, tokens, secrets);
    times.push(['fixtures', elapsed(phase)]);

    phase = Date.now();
    const list = await attacks(fixture, tokens, secrets);
    const known = new Set(list.map((attack) => attack.operation));
    const allOperations = await operations(service.url);
    for (const operation of allOperations) if (!known.has(operation)) list.push(...genericAttacks(operation, tokens));
    const flagsBefore = await must(service.url, 'GET', '/v1/flags', { token: tokens.admin });
    const [dbBefore, bucketBefore, callsBefore, countsBefore] = [
      await snapshotDb(),
      snapshotBucket(),
      await providerCalls(service),
      await counters(),
    ];
    times.push(['snapshot', elapsed(phase)]);

    phase = Date.now();
    process.stderr.write(`proof: ${list.length} hostile requests across ${allOperations.length} operations ...\n`);
    const outcomes = await pool(list, ATTACK_CONCURRENCY, (attack) => runAttack(service!.url, attack));
    times.push(['hostile requests', elapsed(phase)]);

    // The rate limits' runs depend on their order: one request at a time, within one window.
    phase = Date.now();
    const limited = await rateLimitAttacks(fixture, secrets);
    process.stderr.write(`proof: ${limited.length} requests against the rate limits, one at a time ...\n`);
    const rateLimited = await runRateLimits(service.url, limited);
    if (rateLimited.crossed)
      violation('the rate-limit runs did not fit in one window of the limits: their answers cannot be judged');
    outcomes.push(...rateLimited.outcomes);
    times.push(['rate limits', elapsed(phase)]);

    phase = Date.now();
    const [dbAfter, bucketAfter, callsAfter, countsAfter] = [
      await snapshotDb(),
      snapshotBucket(),
      await providerCalls(service),
      await counters(),
    ];
    const flagsAfter = await must(service.url, 'GET', '/v1/flags', { token: tokens.admin });
    times.push(['snapshot again', elapsed(phase)]);

    // Judge the answers.
    const byKind = new Map<string, { tried: number; failed: number }>();
    let fiveHundreds = 0;
    for (const outcome of outcomes) {
      const entry = byKind.get(outcome.attack.kind) ?? { tried: 0, failed: 0 };
      entry.tried++;
      if (outcome.status !== null && outcome.status >= 500) fiveHundreds++;
      const wrong = judge(outcome);
      if (wrong) {
        entry.failed++;
        violation(
          `${outcome.attack.method} ${outcome.attack.path.slice(0, 120)} [${outcome.attack.kind}: ${outcome.attack.what}] ${wrong}`,
        );
      }
      byKind.set(outcome.attack.kind, entry);
    }
    if (list.length < MIN_ATTACKS)
      violation(`only ${list.length} hostile requests; the proof asks for at least ${MIN_ATTACKS}`);
    const perOperation = new Map(
      allOperations.map((operation) => [
        operation,
        outcomes.filter((outcome) => outcome.attack.operation === operation).length,
      ]),
    );
    for (const [operation, n] of perOperation) if (n < 3) violation(`${operation} got only ${n} hostile requests`);

    // Nothing changed.
    const dbChanges = compareDb(dbBefore, dbAfter);
    const rowsChanged = dbChanges.reduce((sum, change) => sum + Math.max(change.gone.length, change.added.length), 0);
    for (const change of dbChanges) {
      violation(
        `table ${change.table} changed: ${change.gone.length} rows gone or changed, ${change.added.length} new or changed; e.g. ${(change.added[0] ?? change.gone[0] ?? '').slice(0, 300)}`,
      );
    }
    const bucketChanged = [...new Set([...bucketBefore.keys(), ...bucketAfter.keys()])].filter(
      (path) => bucketBefore.get(path) !== bucketAfter.get(path),
    );
    if (bucketChanged.length) violation(`the bucket changed: ${bucketChanged.slice(0, 5).join(', ')}`);
    if (J(flagsBefore) !== J(flagsAfter)) violation(`the rollout flags changed: ${J(flagsBefore)} → ${J(flagsAfter)}`);
    if (callsAfter !== callsBefore)
      violation(`the providers were called ${callsAfter - callsBefore} times during the hostile requests`);
    const expectedGain = expectedCounts(outcomes);
    const gained = new Map(
      [...new Set([...countsBefore.keys(), ...countsAfter.keys()])].map((key) => [
        key,
        (countsAfter.get(key) ?? 0) - (countsBefore.get(key) ?? 0),
      ]),
    );
    for (const key of new Set([...gained.keys(), ...expectedGain.keys()])) {
      if ((gained.get(key) ?? 0) !== (expectedGain.get(key) ?? 0))
        violation(
          `the counter ${key} gained ${gained.get(key) ?? 0}, but ${expectedGain.get(key) ?? 0} deliveries were answered so`,
        );
    }

    const tableCount = dbBefore.size;
    const rowCount = [...dbBefore.values()].reduce((sum, rows) => sum + rows.length, 0);
    process.stdout.write(
      '\nHostile requests (each must answer its 4xx, or the documented 200, as JSON; none 5xx; nothing changed)\n',
    );
    process.stdout.write(
      `${table([
        ['kind', 'tried', 'wrong'],
        ...[...byKind.entries()]
          .sort((a, b) => b[1].tried - a[1].tried)
          .map(([kind, entry]) => [kind, String(entry.tried), String(entry.failed)]),
        ['all', String(outcomes.length), String([...byKind.values()].reduce((sum, entry) => sum + entry.failed, 0))],
      ])}\n`,
    );
    const statuses = new Map<string, number>();
    for (const outcome of outcomes)
      statuses.set(String(outcome.status ?? 'none'), (statuses.get(String(outcome.status ?? 'none')) ?? 0) + 1);
    process.stdout.write(
      `answers by status: ${[...statuses.entries()]
        .sort()
        .map(([status, n]) => `${status} ×${n}`)
        .join(', ')}\n`,
    );
    process.stdout.write(
      `operations covered: ${allOperations.length} (${[...perOperation.values()].reduce((a, b) => Math.min(a, b), Infinity)} requests at the least covered)\n`,
    );
    process.stdout.write(`5xx seen: ${fiveHundreds}\n`);
    process.stdout.write(`rows changed: ${rowsChanged} (of ${rowCount} rows in ${tableCount} tables compared)\n`);
    process.stdout.write(
      `counted for the metrics: ${
        [...gained.entries()]
          .filter(([, n]) => n)
          .map(([key, n]) => `${key} +${n}`)
          .join(', ') || 'nothing'
      } (expected from the answers: ${[...expectedGain.entries()].map(([key, n]) => `${key} +${n}`).join(', ') || 'nothing'})\n`,
    );
    process.stdout.write(
      `bucket files changed: ${bucketChanged.length} (of ${bucketAfter.size} files, ${objectCount(bucketAfter)} objects); flags changed: ${J(flagsBefore) === J(flagsAfter) ? 'no' : 'yes'}; provider calls made: ${callsAfter - callsBefore}\n`,
    );

    phase = Date.now();
    process.stderr.write('proof: hostile answers from the providers ...\n');
    const answersBefore = violations.length;
    const answersTried = await hostileProviderAnswers(service, fixture, tokens, secrets, violation);
    process.stdout.write(
      `\nHostile provider answers (room URLs off the provider's domain, a download redirected to another host): ${answersTried} tried, ${violations.length - answersBefore} wrong\n`,
    );
    times.push(['provider answers', elapsed(phase)]);

    phase = Date.now();
    process.stderr.write(
      `proof: burst of signed webhooks, ${BURST_CONNECTIONS} connections for ${BURST_SECONDS} s ...\n`,
    );
    const result = await burst(service, fixture, secrets);
    times.push(['burst and its check', elapsed(phase)]);
    for (const problem of result.problems) violation(`burst: ${problem}`);
    process.stdout.write(
      `\nBurst of signed webhooks: ${BURST_CONNECTIONS} connections for ${result.duration.toFixed(1)} s\n`,
    );
    process.stdout.write(
      `events sent: ${result.sent} (Daily ${result.byProvider.daily}, Whereby ${result.byProvider.whereby}; ${result.joins} joins, ${result.leaves} leaves, ${result.leavesFirst} leaves answered before their join), ${(result.sent / result.duration).toFixed(0)} events/s\n`,
    );
    process.stdout.write(
      `answered 2xx: ${result.ok}; recorded exactly once: ${result.recorded}; 5xx at first try: ${result.firstTry5xx}; network errors: ${result.networkErrors}; deliveries in all: ${result.attempts}\n`,
    );
    process.stdout.write(
      `num_clients as the events make it: Daily ${result.expected.daily}, Whereby ${result.expected.whereby}: ${result.problems.some((p) => p.includes('num_clients') || p.includes('open participant')) ? 'NOT matched' : 'matched'}\n`,
    );

    phase = Date.now();
    process.stderr.write(
      `proof: joins during a Daily outage, ${OUTAGE_CONNECTIONS} connections for ${OUTAGE_SECONDS} s ...\n`,
    );
    const down = await outage(service, fixture, tokens);
    times.push(['outage', elapsed(phase)]);
    for (const problem of down.problems) violation(`outage: ${problem}`);
    process.stdout.write(
      `\nJoins during a Daily outage: ${OUTAGE_CONNECTIONS} connections for ${down.duration.toFixed(1)} s\n`,
    );
    process.stdout.write(
      `joins: ${down.joins}, answered 2xx: ${down.ok} (${down.rooms} rooms on Daily, ${down.failedOver} meetings failed over to Whereby; ${down.ongoingJoins} joins of the meeting going on at Daily, kept there)\n`,
    );
    process.stdout.write(
      `join latency: p50 ${down.latency.p50} ms, p99 ${down.latency.p99} ms, max ${down.latency.max} ms; first failed Daily create to first failed-over meeting: ${down.firstCreateToFailover ?? '–'} ms\n`,
    );
    process.stdout.write(
      `Daily creates: ${down.dailyCreates.beforeOpen} before its breaker opened, ${down.dailyCreates.whileOpen} while it was open (${down.dailyCreates.trials} of them trials); ${down.dailyRequests} requests with retries\n`,
    );
    process.stdout.write(
      `Daily's breaker as /v1/health showed it: ${down.states.join(' → ')}; after the outage: ${down.breakerAfter}\n`,
    );

    times.push(['total', elapsed(runStarted)]);
    process.stdout.write(
      `\ntimes: ${times.map(([name, time]) => `${name} ${time}`).join(', ')}; machine load before/after: ${loadBefore.toFixed(2)}/${loadavg()[0]!.toFixed(2)}\n`,
    );
  } finally {
    await service?.stop();
    await identity.close();
  }

  if (violations.length) {
    process.stdout.write(`\nPROOF FAILED: ${violations.length} violations\n`);
    for (const text of violations.slice(0, 60)) process.stdout.write(`  - ${text}\n`);
    if (violations.length > 60) process.stdout.write(`  ... and ${violations.length - 60} more\n`);
    process.stdout.write(`(the Worker's log: ${relative(process.cwd(), WRANGLER_LOG)})\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nproof passed\n');
  }
}

main().catch((error: unknown) => {
  console.error(`proof failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
