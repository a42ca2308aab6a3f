// The state the hostile requests must leave as it was, read before and after them and compared:
// the local D1, the rollout's counters, the bucket's files, the calls made to the providers.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LocalService } from '../local/service.ts';
import { queryLocalD1 } from '../local/wrangler.ts';
import type { Outcome } from './attack.ts';
import { PERSIST_TO, S3_DIRECTORY } from './setup.ts';

// ---------------------------------------------------------------------------------------------
// What must not change: D1 (every table but the rollout's counters), the bucket's files, the
// flags, the providers. The counters of refused and repeated webhooks are meant to move: by
// exactly the deliveries answered so.

/** SQL on the proof's own local D1. */
export const d1 = (sql: string) => queryLocalD1(sql, PERSIST_TO);

type DbSnapshot = Map<string, string[]>;

const COUNTERS_TABLE = 'metric_counts';
type Counters = Map<string, number>;

/** The rollout's counters, summed over time: "daily webhooks_rejected" → n. */
export async function counters(): Promise<Counters> {
  const [result] = await d1(
    `SELECT platform || ' ' || name AS counter, sum(count) AS n FROM ${COUNTERS_TABLE} GROUP BY platform, name`,
  );
  return new Map((result?.results ?? []).map((row) => [String(row.counter), Number(row.n)]));
}

const RECEIVERS: Record<string, 'daily' | 'whereby'> = { '/v1/daily/webhook': 'daily', '/v1/whereby': 'whereby' };

/** What the counters must have gained from these answers: each refused delivery, each repeat. */
export function expectedCounts(outcomes: Outcome[]): Counters {
  const expected: Counters = new Map();
  const add = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1);
  for (const { attack, status, body } of outcomes) {
    const platform = RECEIVERS[new URL(attack.path, 'http://proof').pathname];
    if (attack.method !== 'POST' || !platform || status === null) continue;
    if (status >= 300) add(`${platform} webhooks_rejected`);
    else if (body?.status === 'duplicate') add(`${platform} webhooks_duplicate`);
  }
  return expected;
}

export async function snapshotDb(): Promise<DbSnapshot> {
  const [tables] = await d1(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != '${COUNTERS_TABLE}' ORDER BY name`,
  );
  const names = (tables?.results ?? []).map((row) => String(row.name));
  if (names.length === 0) throw new Error('the local D1 has no tables');
  const results = await d1(names.map((name) => `SELECT * FROM "${name}"`).join('; '));
  return new Map(names.map((name, i) => [name, (results[i]?.results ?? []).map((row) => JSON.stringify(row)).sort()]));
}

/** Rows only before (gone or changed) and only after (new or changed), per table. */
export function compareDb(before: DbSnapshot, after: DbSnapshot) {
  const changes: { table: string; gone: string[]; added: string[] }[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const left = before.get(table) ?? [];
    const right = after.get(table) ?? [];
    const counts = new Map<string, number>();
    for (const row of left) counts.set(row, (counts.get(row) ?? 0) + 1);
    const added: string[] = [];
    for (const row of right) {
      const n = counts.get(row) ?? 0;
      if (n > 0) counts.set(row, n - 1);
      else added.push(row);
    }
    const gone = [...counts.entries()].flatMap(([row, n]) => Array<string>(n).fill(row));
    if (gone.length || added.length) changes.push({ table, gone, added });
  }
  return changes;
}

/** Every file s3rver keeps for the bucket (objects and their metadata), by path: size and hash. */
export function snapshotBucket(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        files.set(
          relative(S3_DIRECTORY, path),
          `${statSync(path).size}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`,
        );
    }
  };
  walk(S3_DIRECTORY);
  return files;
}

export const objectCount = (files: Map<string, string>) =>
  [...files.keys()].filter((path) => path.endsWith('._S3rver_object')).length;

export async function providerCalls(service: LocalService): Promise<number> {
  const counts = await Promise.all(
    [service.standIns.daily.origin, service.standIns.whereby.origin].map(
      async (origin) => ((await (await fetch(`${origin}/__control/requests`)).json()) as unknown[]).length,
    ),
  );
  return counts[0]! + counts[1]!;
}
