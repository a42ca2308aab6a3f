import { z } from 'zod';
import { PLATFORMS, type Platform } from '../domain/rooms';
import { ConfigError } from './errors';
import { log } from './log';

// Settings of SPEC §1, read from the Worker's vars and secrets. Each is parsed when a request
// needs it, so one bad setting fails only the requests that depend on it, with its name.

type Source = Record<string, unknown>;

const present = (value: unknown) => typeof value === 'string' && value.trim() !== '';

function read<T>(env: Source, name: string, schema: z.ZodType<T>, fallback?: string): T {
  const raw = present(env[name]) ? String(env[name]).trim() : fallback;
  if (raw === undefined) throw new ConfigError(name, 'is not set');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(name, `is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

const readOptional = <T>(env: Source, name: string, schema: z.ZodType<T>): T | undefined =>
  present(env[name]) ? read(env, name, schema) : undefined;

// The schemas are built once: building one costs far more than parsing with it (a base64
// schema about 50 µs, an enum about 9 µs, against well under 1 µs to parse), and some settings
// are read on every request.
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const secret = z.string().min(1);
const text = z.string().min(1);
const arn = z.string().startsWith('arn:', 'an ARN starts with "arn:"');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a bucket name');
const region = z.string().regex(/^[a-z0-9-]+$/, 'not a region');
const base64Secret = z.base64('is not base64').min(1);
const platformName = z.enum(PLATFORMS);
/** MEETING_LENGTH_MINUTES: whole minutes, at least one, at most a day (SPEC §1). */
const meetingMinutes = z
  .string()
  .regex(/^\d+$/, 'not a whole number of minutes')
  .transform(Number)
  .pipe(z.number().min(1, 'less than 1 minute').max(1440, 'more than 1440 minutes'));
const onOff = z.enum(['true', 'false'], 'true or false').transform((value) => value === 'true');

export interface ProviderSettings {
  apiUrl: string;
  apiKey: string;
  /**
   * Development: room URLs of the local stand-ins on a loopback address are accepted besides
   * the provider's own https ones (SPEC §14).
   */
  loopbackRooms: boolean;
}
export interface DailySettings extends ProviderSettings {
  /** Set: Daily rooms record straight into the recordings bucket through this role. */
  awsRoleArn?: string;
  /** Development: recording download links may be http (the local stand-in's); else only https (SPEC §14). */
  httpDownloadLinks: boolean;
  /** Set: Daily's room URLs must be on `<subdomain>.daily.co`, the domain of our account. */
  subdomain?: string;
}
export interface BucketSettings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}
interface AuthSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** A DNS label: what goes before `.daily.co`. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, 'not a DNS label')
  .transform((label) => label.toLowerCase());

export type Environment = 'development' | 'production';

// ENVIRONMENT values already warned about in this isolate: one log line each, not one per request.
const warnedEnvironments = new Set<string>();

/**
 * SPEC §14: development only when ENVIRONMENT is exactly `development`. Missing, blank or any
 * other value (a typo, `Development`, `staging`) is production, which widens nothing: no
 * development login, no loopback room URLs. Never an error: a deploy must not depend on spelling
 * this right to be safe. An unknown value is logged so that the operator can see the typo.
 */
function environmentOf(value: unknown): Environment {
  if (value === 'development') return 'development';
  if (value !== undefined && value !== 'production' && !warnedEnvironments.has(String(value))) {
    warnedEnvironments.add(String(value));
    log('warn', 'ENVIRONMENT is not "development" or "production"; running as production', {
      setting: 'ENVIRONMENT',
      value: String(value).slice(0, 40),
    });
  }
  return 'production';
}

export function config(env: Env) {
  const source = env as unknown as Source;
  const environment = (): Environment => environmentOf(source.ENVIRONMENT);
  const loopbackRooms = () => environment() === 'development';
  return {
    environment,

    whereby: (): ProviderSettings => ({
      apiUrl: read(source, 'WHEREBY_API_URL', url, 'https://api.whereby.dev/v1'),
      apiKey: read(source, 'WHEREBY_API_KEY', secret),
      loopbackRooms: loopbackRooms(),
    }),

    daily: (): DailySettings => ({
      apiUrl: read(source, 'DAILY_API_URL', url, 'https://api.daily.co/v1'),
      apiKey: read(source, 'DAILY_API_KEY', secret),
      loopbackRooms: loopbackRooms(),
      httpDownloadLinks: loopbackRooms(),
      subdomain: readOptional(source, 'DAILY_SUBDOMAIN', dnsLabel),
      awsRoleArn: readOptional(source, 'AWS_DAILY_ROLE_ARN', arn),
    }),

    bucket: (): BucketSettings => ({
      endpoint: read(source, 'RECORDING_S3_ENDPOINT', url),
      bucket: read(source, 'RECORDING_S3_BUCKET', bucketName),
      region: read(source, 'RECORDING_S3_REGION', region, 'us-east-1'),
      accessKeyId: read(source, 'RECORDING_S3_ACCESS_KEY_ID', secret),
      secretAccessKey: read(source, 'RECORDING_S3_SECRET_ACCESS_KEY', secret),
    }),

    /** Whether an identity provider is named; then there is no development login. */
    hasIdentityProvider: (): boolean => present(source.AUTH_JWKS_URL),

    auth: (): AuthSettings => ({
      jwksUrl: read(source, 'AUTH_JWKS_URL', url),
      issuer: read(source, 'AUTH_ISSUER', text),
      audience: read(source, 'AUTH_AUDIENCE', text),
    }),

    adminUserIds: (): ReadonlySet<string> =>
      new Set(
        String(source.ADMIN_USER_IDS ?? '')
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      ),

    /** Client IPs (as CF-Connecting-IP gives them; compared in lower case) that no rate limit counts. */
    rateLimitExemptIps: (): ReadonlySet<string> =>
      new Set(
        String(source.RATE_LIMIT_EXEMPT_IPS ?? '')
          .split(',')
          .map((ip) => ip.trim().toLowerCase())
          .filter(Boolean),
      ),

    /** Origins allowed to call the API from the browser (SPEC §10); empty: none. */
    corsAllowedOrigins: (): ReadonlySet<string> => corsOrigins(source.CORS_ALLOWED_ORIGINS),

    /** Daily's webhook secret, base64 as Daily gives it. */
    dailyWebhookSecret: (): string => read(source, 'DAILY_WEBHOOK_SECRET', base64Secret),

    wherebyWebhookSecret: (): string => read(source, 'WHEREBY_WEBHOOK_SECRET', secret),

    pipelineToken: (): string => read(source, 'PIPELINE_TOKEN', secret),

    /** SPEC §9: a failing platform's new meetings go to the other (when both are configured). */
    providerFailover: (): boolean => read(source, 'PROVIDER_FAILOVER', onOff, 'true'),

    defaultPlatform: (): Platform => read(source, 'DEFAULT_VIDEO_PLATFORM', platformName, 'whereby'),

    /** A new meeting's length, which is also each lease extension's (SPEC §9), in milliseconds. */
    meetingLengthMs: (): number => read(source, 'MEETING_LENGTH_MINUTES', meetingMinutes, '480') * 60_000,

    /** Fallbacks of the rollout flags; parsed (and forgiven when malformed) by rollout/flags.ts. */
    flagFallbacks: (): Record<string, string | undefined> => ({
      DAILY_MIGRATION_ENABLED: optionalText(source.DAILY_MIGRATION_ENABLED),
      DAILY_MIGRATION_ROOM_IDS: optionalText(source.DAILY_MIGRATION_ROOM_IDS),
      DAILY_MIGRATION_USER_IDS: optionalText(source.DAILY_MIGRATION_USER_IDS),
      DAILY_MIGRATION_PERCENT: optionalText(source.DAILY_MIGRATION_PERCENT),
    }),
  };
}

export type Config = ReturnType<typeof config>;

// The last CORS_ALLOWED_ORIGINS text parsed, and what it gave: it is asked on every cross-origin request.
let parsedOrigins: { text: string; origins: ReadonlySet<string> } | undefined;

/**
 * CORS_ALLOWED_ORIGINS: each entry an origin exactly as a browser sends it in `Origin`
 * (`https://app.example.com`, a port if not the scheme's own; no path). `*` is refused: an API
 * answering with credentials must name its origins.
 */
function corsOrigins(value: unknown): ReadonlySet<string> {
  const text = String(value ?? '').trim();
  if (parsedOrigins?.text === text) return parsedOrigins.origins;
  const origins = new Set<string>();
  for (const entry of text.split(',').map((part) => part.trim().replace(/\/$/, ''))) {
    if (!entry) continue;
    let origin: string | undefined;
    try {
      const parsed = new URL(entry);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') origin = parsed.origin;
    } catch {}
    if (origin !== entry.toLowerCase())
      throw new ConfigError(
        'CORS_ALLOWED_ORIGINS',
        `is malformed ("${entry.slice(0, 80)}" is not an origin such as https://app.example.com)`,
      );
    origins.add(origin);
  }
  parsedOrigins = { text, origins };
  return origins;
}

const optionalText = (value: unknown) => (present(value) ? String(value).trim() : undefined);

/** Whether a group of settings is usable, without throwing: for /v1/health. */
export function isConfigured(get: () => unknown): boolean {
  try {
    get();
    return true;
  } catch {
    return false;
  }
}
