import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_NETWORK, testNetwork } from './test/network.ts';
import { type TestServers, WEBHOOK_SECRETS } from './test/servers.ts';

// Worker tests run inside workerd against a real local D1 and KV; the provider stand-ins, the
// identity provider's JWKS and an S3 server (behind a fault proxy) are node servers on
// 127.0.0.1 started by the global setup.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations');
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const servers = inject<TestServers>('servers');
        return {
          wrangler: { configPath: './wrangler.toml' },
          miniflare: {
            // Empty databases of their own for the tests that replay the migrations one by one.
            d1Databases: {
              MIGRATION_DB: 'migration-test',
              LATE_MIGRATION_DB: 'late-migration-test',
              HOLD_MIGRATION_DB: 'hold-migration-test',
            },
            // The Daily stand-in's download links are on an https name (test/network.ts).
            outboundService: TEST_NETWORK,
            workers: [
              testNetwork({
                [new URL(servers.daily.fileOrigin).host]: servers.daily.origin,
                [new URL(servers.receiver.publicOrigin).host]: servers.receiver.origin,
                [new URL(servers.receiver.unreachableOrigin).host]: servers.receiver.closedOrigin,
              }),
            ],
            // Copy messages go to a queue nobody consumes: the tests deliver them to the consumer
            // themselves, attempt by attempt, instead of racing a background copy.
            // Room webhooks likewise (test/worker/room-webhooks.test.ts hands them to their consumer).
            queueProducers: {
              RECORDING_COPIES: { queueName: 'recording-copies-in-tests' },
              ROOM_WEBHOOKS: { queueName: 'room-webhooks-in-tests' },
            },
            // Small limits, so a test reaches them in a few requests (test/worker/rate-limits.test.ts);
            // only requests with a CF-Connecting-IP count, and each test sends its own addresses.
            ratelimits: {
              RATE_LIMIT_MEETINGS: { namespace_id: '1101', simple: { limit: 3, period: 60 } },
              RATE_LIMIT_ANSWERS: { namespace_id: '1102', simple: { limit: 3, period: 60 } },
              RATE_LIMIT_WEBHOOKS: { namespace_id: '1103', simple: { limit: 4, period: 60 } },
              RATE_LIMIT_WEBHOOK_TESTS: { namespace_id: '1104', simple: { limit: 3, period: 60 } },
            },
            bindings: {
              TEST_MIGRATIONS: migrations,
              ENVIRONMENT: 'production',
              WHEREBY_API_URL: servers.whereby.apiUrl,
              WHEREBY_API_KEY: servers.whereby.apiKey,
              DAILY_API_URL: servers.daily.apiUrl,
              DAILY_API_KEY: servers.daily.apiKey,
              // Through the fault proxy to s3rver, whose only keys these are.
              RECORDING_S3_ENDPOINT: servers.s3.proxy,
              RECORDING_S3_BUCKET: servers.s3.bucket,
              RECORDING_S3_ACCESS_KEY_ID: servers.s3.accessKeyId,
              RECORDING_S3_SECRET_ACCESS_KEY: servers.s3.secretAccessKey,
              AUTH_JWKS_URL: servers.identity.jwksUrl,
              AUTH_ISSUER: servers.identity.issuer,
              AUTH_AUDIENCE: servers.identity.audience,
              ADMIN_USER_IDS: 'admin-1, admin-2',
              DAILY_WEBHOOK_SECRET: WEBHOOK_SECRETS.daily,
              WHEREBY_WEBHOOK_SECRET: WEBHOOK_SECRETS.whereby,
              PIPELINE_TOKEN: 'test-pipeline-token',
              RATE_LIMIT_EXEMPT_IPS: '203.0.113.250, 2001:DB8::FE',
            },
          },
        };
      }),
    ],
    test: {
      globalSetup: ['test/global-setup.ts'],
      setupFiles: ['test/worker/apply-migrations.ts'],
      include: ['test/worker/**/*.test.ts'],
      testTimeout: 30_000,
      // The stand-ins, the S3 proxy and their fault lists are shared by every file: one file at a time.
      fileParallelism: false,
      // The Worker logs a JSON line per request; show them only for failing tests.
      silent: 'passed-only' as const,
    },
  };
});
