import { log } from '../log';

// The rollout flags of SPEC §3: KV first, the Worker's vars as fallback. A malformed value
// counts as absent, so the safe Whereby path wins, and is reported instead of failing anything.

export const FLAG_KEYS = [
  'DAILY_MIGRATION_ENABLED',
  'DAILY_MIGRATION_ROOM_IDS',
  'DAILY_MIGRATION_USER_IDS',
  'DAILY_MIGRATION_PERCENT',
] as const;
export type FlagKey = (typeof FLAG_KEYS)[number];

export interface RolloutFlags {
  DAILY_MIGRATION_ENABLED: boolean;
  DAILY_MIGRATION_ROOM_IDS: string[];
  /** Room owners (`user_id`, the sub) all of whose rooms move to Daily. */
  DAILY_MIGRATION_USER_IDS: string[];
  DAILY_MIGRATION_PERCENT: number;
}

export interface MalformedFlag {
  key: FlagKey;
  source: 'kv' | 'env';
  raw: string;
  reason: string;
}

interface FlagState {
  flags: RolloutFlags;
  malformed: MalformedFlag[];
}

/** A sub is the identity provider's to choose (auth0|…, an email, a UUID): printable, no space or comma. */
export const USER_ID_PATTERN = /^[^\s,\p{C}]{1,255}$/u;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A list flag: a JSON array of strings or a comma-separated list, each item matching `item`. */
const listOf =
  (item: RegExp, what: string) =>
  (text: string): Parsed<string[]> => {
    const value = text.trim();
    let list: unknown = value.split(',');
    if (/^[[{"]/.test(value)) {
      try {
        list = JSON.parse(value);
      } catch {
        return { ok: false, reason: 'not valid JSON' };
      }
    }
    if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string'))
      return { ok: false, reason: 'expected a JSON array of strings or a comma-separated list' };
    const entries = list.map((entry) => entry.trim()).filter(Boolean);
    const stray = entries.find((entry) => !item.test(entry));
    if (stray !== undefined) return { ok: false, reason: `"${stray.slice(0, 80)}" is not ${what}` };
    return { ok: true, value: entries };
  };

const parsers: { [K in FlagKey]: (text: string) => Parsed<RolloutFlags[K]> } = {
  DAILY_MIGRATION_ENABLED(text) {
    const value = text.trim().toLowerCase();
    if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
    return { ok: false, reason: 'expected true or false' };
  },
  // Room ids are UUIDs and names are [a-z0-9-]: anything else is a typo, not a room.
  DAILY_MIGRATION_ROOM_IDS: listOf(/^[A-Za-z0-9-]+$/, 'a room id or name'),
  DAILY_MIGRATION_USER_IDS: listOf(USER_ID_PATTERN, 'a user id'),
  DAILY_MIGRATION_PERCENT(text) {
    const value = text.trim();
    const percent = Number(value);
    if (value === '' || !Number.isFinite(percent) || percent < 0 || percent > 100)
      return { ok: false, reason: 'expected a number from 0 to 100' };
    return { ok: true, value: percent };
  },
};

const DEFAULTS: RolloutFlags = {
  DAILY_MIGRATION_ENABLED: false,
  DAILY_MIGRATION_ROOM_IDS: [],
  DAILY_MIGRATION_USER_IDS: [],
  DAILY_MIGRATION_PERCENT: 0,
};

type RawFlags = Partial<Record<FlagKey, string | undefined | null>>;

/** The effective flags from KV's texts and the vars' fallbacks. */
export function resolveFlags(kv: RawFlags, env: RawFlags): FlagState {
  const flags = { ...DEFAULTS };
  const malformed: MalformedFlag[] = [];
  for (const key of FLAG_KEYS) {
    for (const [source, raw] of [
      ['kv', kv[key]],
      ['env', env[key]],
    ] as const) {
      if (raw === undefined || raw === null) continue;
      const parsed = parsers[key](raw);
      if (parsed.ok) {
        (flags as Record<FlagKey, unknown>)[key] = parsed.value;
        break;
      }
      malformed.push({ key, source, raw, reason: parsed.reason });
    }
  }
  return { flags, malformed };
}

/** The text each flag is stored as in KV, as an operator would type it. */
export const flagText = (value: RolloutFlags[FlagKey]) =>
  Array.isArray(value) ? JSON.stringify(value) : String(value);

// KV caches the read at the edge for CACHE_SECONDS, and this isolate keeps the parsed state for
// as long, so a request costs no KV read while fresh and a flip shows within about a minute.
const CACHE_SECONDS = 30;
let cached: { state: FlagState; expires: number; kv: KVNamespace; fallbacks: string } | undefined;

export async function readFlags(kv: KVNamespace, fallbacks: RawFlags, now = Date.now()): Promise<FlagState> {
  const fallbackKey = JSON.stringify(fallbacks);
  if (cached && cached.kv === kv && cached.fallbacks === fallbackKey && cached.expires > now) return cached.state;

  const stored = await kv.get([...FLAG_KEYS], { type: 'text', cacheTtl: CACHE_SECONDS });
  const state = resolveFlags(Object.fromEntries(stored) as RawFlags, fallbacks);
  for (const problem of state.malformed) log('warn', 'malformed rollout flag ignored', { ...problem });
  cached = { state, expires: now + CACHE_SECONDS * 1000, kv, fallbacks: fallbackKey };
  return state;
}

/** Drops this isolate's copy, so the next read goes to KV (after a write, and in tests). */
export function forgetCachedFlags() {
  cached = undefined;
}
