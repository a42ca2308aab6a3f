// The local service's settings (SPEC §1), later wins: local defaults (the stand-ins, the local
// bucket) < .dev.vars < any SPEC §1 setting in the environment. The merged result goes to a file
// under .wrangler/ passed with `wrangler dev --env-file`, which makes wrangler skip .dev.vars
// entirely; .dev.vars itself is only ever read.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import type { S3Server } from '../../dev/stand-ins/s3-server.ts';
import type { StandIns } from '../../dev/stand-ins/serve.ts';
import { ROOT } from './root.ts';

/** The settings of SPEC §1: the only names taken from the process environment. */
export const SETTING_NAMES = [
  'ENVIRONMENT',
  'WHEREBY_API_KEY',
  'WHEREBY_WEBHOOK_SECRET',
  'WHEREBY_API_URL',
  'DAILY_API_KEY',
  'DAILY_WEBHOOK_SECRET',
  'DAILY_SUBDOMAIN',
  'DAILY_API_URL',
  'AWS_DAILY_ROLE_ARN',
  'RECORDING_S3_ENDPOINT',
  'RECORDING_S3_BUCKET',
  'RECORDING_S3_REGION',
  'RECORDING_S3_ACCESS_KEY_ID',
  'RECORDING_S3_SECRET_ACCESS_KEY',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'ADMIN_USER_IDS',
  'PIPELINE_TOKEN',
  'DAILY_MIGRATION_ENABLED',
  'DAILY_MIGRATION_ROOM_IDS',
  'DAILY_MIGRATION_USER_IDS',
  'DAILY_MIGRATION_PERCENT',
  'DEFAULT_VIDEO_PLATFORM',
  'MEETING_LENGTH_MINUTES',
  'RATE_LIMIT_EXEMPT_IPS',
  'PROVIDER_FAILOVER',
  'CORS_ALLOWED_ORIGINS',
] as const;

export type Source = 'local default' | '.dev.vars' | 'environment';
type Values = Record<string, string>;

/**
 * A local default that belongs with others: if the user sets any name of a group, the whole
 * group's defaults are dropped, so e.g. a real WHEREBY_API_KEY never goes to the stand-in and
 * the stand-in's key never goes to a real WHEREBY_API_URL.
 */
interface DefaultGroup {
  label: string;
  values: Values;
}

export interface Settings {
  values: Values;
  sources: Record<string, Source>;
  /** Default groups not used because the user set one of their names, e.g. "Whereby stand-in". */
  overridden: string[];
}

/** Webhook secrets of the local run; `npm run webhook` signs with them too. Daily's is base64. */
export const localWebhookSecrets: DefaultGroup = {
  label: 'local webhook secrets',
  values: {
    DAILY_WEBHOOK_SECRET: Buffer.from('local-daily-webhook-secret').toString('base64'),
    WHEREBY_WEBHOOK_SECRET: 'local-whereby-webhook-secret',
  },
};

export function localDefaults(standIns: StandIns, bucket: S3Server): DefaultGroup[] {
  return [
    localWebhookSecrets,
    { label: 'development mode', values: { ENVIRONMENT: 'development' } },
    {
      label: 'Whereby stand-in',
      values: { WHEREBY_API_URL: standIns.whereby.apiUrl, WHEREBY_API_KEY: standIns.whereby.apiKey },
    },
    {
      label: 'Daily stand-in',
      values: { DAILY_API_URL: standIns.daily.apiUrl, DAILY_API_KEY: standIns.daily.apiKey },
    },
    {
      label: 'local bucket',
      values: {
        RECORDING_S3_ENDPOINT: bucket.endpoint,
        RECORDING_S3_BUCKET: bucket.bucket,
        RECORDING_S3_ACCESS_KEY_ID: bucket.accessKeyId,
        RECORDING_S3_SECRET_ACCESS_KEY: bucket.secretAccessKey,
      },
    },
    // What the local transcription pipeline (or curl) sends to POST /v1/recordings/{id}/processed.
    { label: 'local pipeline token', values: { PIPELINE_TOKEN: 'local-pipeline-token' } },
  ];
}

export const DEV_VARS = join(ROOT, '.dev.vars');

/** .dev.vars as wrangler would read it (dotenv format), or nothing when there is none. */
export function readDevVars(path = DEV_VARS): Values {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Values;
}

/** The SPEC §1 settings present in an environment (an empty value counts as set). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Values {
  const values: Values = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

export function mergeSettings(defaults: DefaultGroup[], devVars: Values, environment: Values): Settings {
  const userNames = new Set([...Object.keys(devVars), ...Object.keys(environment)]);
  const settings: Settings = { values: {}, sources: {}, overridden: [] };
  const apply = (values: Values, source: Source) => {
    for (const [name, value] of Object.entries(values)) {
      settings.values[name] = value;
      settings.sources[name] = source;
    }
  };
  for (const group of defaults) {
    if (Object.keys(group.values).some((name) => userNames.has(name))) settings.overridden.push(group.label);
    else apply(group.values, 'local default');
  }
  apply(devVars, '.dev.vars');
  apply(environment, 'environment');
  return settings;
}

/**
 * Dotenv text that wrangler reads back exactly: it parses --env-file with dotenv and then
 * expands `$NAME` with dotenv-expand, whose `\$` escape keeps a dollar literal. Quotes without
 * escape processing (single, then backtick) keep backslashes and newlines as they are.
 */
function toDotenv(values: Values): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const quote = ["'", '`', '"'].find((q) => !value.includes(q));
      if (!quote)
        throw new Error(`${name} contains all three quote characters; wrangler cannot be given it in a dotenv file`);
      return `${name}=${quote}${value.replaceAll('$', '\\$')}${quote}\n`;
    })
    .join('');
}

/** The settings as the file for `wrangler dev --env-file`; one per port, so two services never share one. */
export function writeSettingsFile(values: Values, port: number): string {
  const file = join(ROOT, '.wrangler', 'local', `settings-${port}.env`);
  mkdirSync(dirname(file), { recursive: true });
  // Secrets from .dev.vars and the environment land here: readable by the owner only.
  writeFileSync(file, toDotenv(values), { mode: 0o600 });
  return file;
}
