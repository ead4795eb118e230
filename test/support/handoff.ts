// A whole Handoff (API + worker) for integration tests, on a real Temporal dev server and a
// real database: in-memory PGlite, or a fresh database on the machine's PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../lib/config';
import { startHandoff, type RunningHandoff } from '../../start/handoff';
import { createLogger, type Logger } from '../../lib/logger';
import { openTestDatabase } from './database';
import { workflowBundle } from './workflow-bundle';

export const ADMIN_KEY = `hk_testadmn_${randomBytes(32).toString('base64url')}`;
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Limits high enough not to matter for tests that are not about them (extraEnv overrides them). */
export const TEST_LIMITS: Record<string, string> = {
  HANDOFF_RATE_LIMIT_PER_ADDRESS: '10000000',
  HANDOFF_RATE_LIMIT_METRICS: '1000000',
  HANDOFF_RATE_LIMIT_PER_LINK: '1000000',
  HANDOFF_MAX_STREAMS_PER_MEMBER: '10000',
  // The test receivers (webhooks, chat) listen on 127.0.0.1, which Handoff reaches only when allowed.
  HANDOFF_OUTBOUND_ALLOW: '127.0.0.1/32',
};

export interface TestHandoff extends RunningHandoff {
  url: string;
  dataDir: string;
  /** The logger the API and worker write to. */
  logger: Logger;
  cleanup(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `handoff_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestHandoff(
  env: TestWorkflowEnvironment,
  options: {
    database: 'pglite' | 'postgres';
    extraEnv?: Record<string, string>;
    /** A logger to use instead of one at LOG_LEVEL on stdout (e.g. createLogger('info', stream) to capture the log lines). */
    logger?: Logger;
  },
): Promise<TestHandoff> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-test-'));
  const postgres = options.database === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig({
    PORT: '0',
    HANDOFF_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `handoff-test-${randomBytes(4).toString('hex')}`,
    HANDOFF_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    HANDOFF_SEED_DEMO: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    // Every test request comes from 127.0.0.1 and most tests share a few members: the limits per
    // address, on /metrics, per link and on open streams are raised unless a test is about them.
    ...TEST_LIMITS,
    ...options.extraEnv,
  });
  // PGlite in memory keeps tests fast; the persisted folder is exercised by the embedded start test.
  const db = postgres ? undefined : await openTestDatabase();
  const logger = options.logger ?? createLogger(config.logLevel);
  const handoff = await startHandoff({ config, logger, api: true, worker: true, prepareDatabase: true, db, workflowBundle: await workflowBundle() });
  return {
    ...handoff,
    url: handoff.url as string,
    dataDir,
    logger,
    async cleanup() {
      await handoff.stop();
      await db?.close();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
