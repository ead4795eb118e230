// Configuration: one schema over the environment, parsed once at start. The defaults are
// those of the embedded mode; README.md lists the same table.
import path from 'node:path';
import { z } from 'zod';
import { PRIORITIES, type ClockName, type Priority } from '../workflows/domain/brief';
import { isSlaTarget, parseDuration, SLA_TARGET_RULE } from '../workflows/domain/duration';
import type { LogFormat } from './logger';

const duration = z.string().refine(isSlaTarget, SLA_TARGET_RULE);
const perPriority = z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, duration])) as Record<Priority, typeof duration>);

export const DEFAULT_SLA_TARGETS: Record<ClockName, Record<Priority, string>> = {
  acknowledge: { P1: 'PT1H', P2: 'PT4H', P3: 'P1D', P4: 'P2D' },
  deliver: { P1: 'P1D', P2: 'P3D', P3: 'P5D', P4: 'P10D' },
  review: { P1: 'PT4H', P2: 'P1D', P3: 'P2D', P4: 'P3D' },
};

const slaTargets = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.strictObject({ acknowledge: perPriority.partial().optional(), deliver: perPriority.partial().optional(), review: perPriority.partial().optional() }));

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** An ISO 8601 duration (PT10S, PT0.5S, PT1H, P1D) as milliseconds, at least `min`. */
const durationMs = (fallback: string, min = 100) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(fallback)
      .transform((text, ctx) => {
        const ms = parseDuration(text);
        if (ms === undefined || ms < min) {
          ctx.addIssue({ code: 'custom', message: `an ISO 8601 duration of at least ${min} ms, such as ${fallback}` });
          return z.NEVER;
        }
        return ms;
      }),
  );

const EnvSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HANDOFF_DATA_DIR: z.string().default('./data'),
  HANDOFF_PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional()),
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('handoff'),
  TEMPORAL_CLI_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional()),
  SMTP_FROM: z.string().default('Handoff <handoff@localhost>'),
  HANDOFF_BOOTSTRAP_ADMIN_KEY: z.preprocess(emptyAsUndefined, z.string().min(24, 'at least 24 characters').optional()),
  HANDOFF_SEED_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  HANDOFF_SLA_TARGETS: z.preprocess(emptyAsUndefined, slaTargets.optional()),
  HANDOFF_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(600)),
  HANDOFF_CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
  HANDOFF_TEMPORAL_UI_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8233)),
  HANDOFF_DELIVERY_RETRY_INITIAL: durationMs('PT10S'),
  HANDOFF_DELIVERY_RETRY_MAX: durationMs('PT1H'),
  HANDOFF_DELIVERY_DEADLINE: durationMs('PT24H', 1000),
  HANDOFF_DELIVERY_ATTEMPT_TIMEOUT: durationMs('PT1M', 1000),
  HANDOFF_WEBHOOK_DISABLE_AFTER: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(5)),
  HANDOFF_ACTION_LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'at least 32 characters').optional()),
  HANDOFF_ACTION_LINK_TTL: durationMs('P7D', 60_000),
  HANDOFF_WORKER_CACHED_WORKFLOWS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(100_000).default(500)),
  HANDOFF_WORKER_WORKFLOW_TASKS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2).max(1000).default(40)),
  HANDOFF_WORKER_ACTIVITIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(100)),
  HANDOFF_WORKER_SHUTDOWN_GRACE: durationMs('PT10S', 0),
});

export interface Config {
  port: number;
  dataDir: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cliPath: string | undefined;
    /** Port of the embedded dev server's web UI (0: a free one). */
    uiPort: number;
  };
  smtp: { url: string | undefined; from: string };
  bootstrapAdminKey: string | undefined;
  seedDemo: boolean;
  slaTargets: Record<ClockName, Record<Priority, string>>;
  /** Requests per minute per API key. */
  rateLimitPerMinute: number;
  /** Origins allowed by CORS: a list, '*' for any, empty for none. */
  corsOrigins: string[];
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Unset: the entry point's default (readable lines for npm start, JSON for the production processes). */
  logFormat: LogFormat | undefined;
  /** How notification deliveries are retried: doubling from initial up to max, for deadline. */
  deliveryRetry: { initialIntervalMs: number; maximumIntervalMs: number; deadlineMs: number; attemptTimeoutMs: number };
  /** A member's webhook is disabled after this many notifications in a row failed for good. */
  webhookDisableAfter: number;
  /**
   * One-click links in emails: signed with this secret (else one generated once and kept in the
   * database), valid for ttlMs.
   */
  actionLinks: { secret: string | undefined; ttlMs: number };
  /**
   * The worker's tuning: briefs kept in its cache between workflow tasks (its memory grows with
   * them; an evicted brief is replayed from its short history when it wakes), workflow tasks and
   * activities run at once, and how long activities in flight may finish when it stops.
   */
  worker: { maxCachedWorkflows: number; maxWorkflowTasks: number; maxActivities: number; shutdownGraceMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const overrides = e.HANDOFF_SLA_TARGETS ?? {};
  return {
    port: e.PORT,
    dataDir: path.resolve(e.HANDOFF_DATA_DIR),
    publicUrl: e.HANDOFF_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, cliPath: e.TEMPORAL_CLI_PATH, uiPort: e.HANDOFF_TEMPORAL_UI_PORT },
    smtp: { url: e.SMTP_URL, from: e.SMTP_FROM },
    bootstrapAdminKey: e.HANDOFF_BOOTSTRAP_ADMIN_KEY,
    seedDemo: e.HANDOFF_SEED_DEMO,
    slaTargets: {
      acknowledge: { ...DEFAULT_SLA_TARGETS.acknowledge, ...overrides.acknowledge },
      deliver: { ...DEFAULT_SLA_TARGETS.deliver, ...overrides.deliver },
      review: { ...DEFAULT_SLA_TARGETS.review, ...overrides.review },
    },
    rateLimitPerMinute: e.HANDOFF_RATE_LIMIT,
    corsOrigins: (e.HANDOFF_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    deliveryRetry: {
      initialIntervalMs: e.HANDOFF_DELIVERY_RETRY_INITIAL,
      maximumIntervalMs: e.HANDOFF_DELIVERY_RETRY_MAX,
      deadlineMs: e.HANDOFF_DELIVERY_DEADLINE,
      attemptTimeoutMs: e.HANDOFF_DELIVERY_ATTEMPT_TIMEOUT,
    },
    webhookDisableAfter: e.HANDOFF_WEBHOOK_DISABLE_AFTER,
    actionLinks: { secret: e.HANDOFF_ACTION_LINK_SECRET, ttlMs: e.HANDOFF_ACTION_LINK_TTL },
    worker: {
      maxCachedWorkflows: e.HANDOFF_WORKER_CACHED_WORKFLOWS,
      maxWorkflowTasks: e.HANDOFF_WORKER_WORKFLOW_TASKS,
      maxActivities: e.HANDOFF_WORKER_ACTIVITIES,
      shutdownGraceMs: e.HANDOFF_WORKER_SHUTDOWN_GRACE,
    },
  };
}

/** Production processes need their dependencies named explicitly. */
export function requireProductionConfig(config: Config): void {
  const missing = [
    config.databaseUrl ? undefined : 'DATABASE_URL',
    config.temporal.address ? undefined : 'TEMPORAL_ADDRESS',
  ].filter(Boolean);
  if (missing.length) throw new ConfigError(`${missing.join(' and ')} must be set to run the API or the worker on its own (use npm start for the embedded mode)`);
}
