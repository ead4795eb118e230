// Configuration: one schema over the environment, parsed once at start. The defaults are
// those of the embedded mode; README.md lists the same table.
import path from 'node:path';
import { z } from 'zod';
import { PRIORITIES, type ClockName, type Priority } from '../workflows/domain/vocabulary';
import { isSlaTarget, parseDuration, SLA_TARGET_RULE } from '../workflows/domain/duration';
import type { LogFormat } from './logger';
import { OutboundAllowError, parseOutboundAllow } from './outbound';

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

/**
 * Express's `trust proxy`: false (the default: the connecting address is the client), true (the
 * left-most X-Forwarded-For address; only behind a proxy that overwrites the header), a number of
 * proxy hops, or comma-separated addresses, CIDRs and names such as loopback, uniquelocal.
 */
const trustProxy = z.string().transform((value, ctx): boolean | number | string[] => {
  const v = value.trim();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const bad = entries.find((entry) => !named.has(entry) && !/^[\d.]+(\/\d{1,2})?$|^[\da-f:.]+(\/\d{1,3})?$/i.test(entry));
  if (entries.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `true, false, a hop count, or comma-separated addresses, CIDRs, loopback, linklocal, uniquelocal${bad ? ` (not one: ${bad})` : ''}` });
    return z.NEVER;
  }
  return entries;
});

/** Hosts, addresses and CIDRs webhooks and chat posts may reach although they are internal. */
const outboundAllow = z.string().transform((value, ctx) => {
  try {
    return parseOutboundAllow(value).entries;
  } catch (err) {
    if (!(err instanceof OutboundAllowError)) throw err;
    ctx.addIssue({ code: 'custom', message: `comma-separated host names, addresses and CIDRs such as 127.0.0.1/32,10.1.2.0/24,receiver.internal (${err.message})` });
    return z.NEVER;
  }
});

/** The shortest bootstrap admin key accepted at start. */
export const BOOTSTRAP_ADMIN_KEY_MIN_LENGTH = 32;

const EnvSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HANDOFF_DATA_DIR: z.string().default('./data'),
  HANDOFF_PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional()),
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('handoff'),
  TEMPORAL_DELIVERY_TASK_QUEUE: z.preprocess(emptyAsUndefined, z.string().optional()),
  HANDOFF_DELIVERY_WORKER_ACTIVITIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(50)),
  HANDOFF_DELIVERY_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().min(0.01).max(100_000).default(100)),
  TEMPORAL_CLI_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_CERT: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_CA: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_SERVER_NAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional()),
  SMTP_FROM: z.string().default('Handoff <handoff@localhost>'),
  HANDOFF_BOOTSTRAP_ADMIN_KEY: z.preprocess(emptyAsUndefined, z.string().min(BOOTSTRAP_ADMIN_KEY_MIN_LENGTH, `at least ${BOOTSTRAP_ADMIN_KEY_MIN_LENGTH} characters (a key shorter than that can be guessed; generate one with openssl rand -base64 32)`).optional()),
  HANDOFF_SEED_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  HANDOFF_SLA_TARGETS: z.preprocess(emptyAsUndefined, slaTargets.optional()),
  HANDOFF_API_KEY_ROTATIONS_PER_DAY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(10)),
  HANDOFF_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(600)),
  HANDOFF_RATE_LIMIT_PER_MEMBER: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(2_000_000).optional()),
  HANDOFF_RATE_LIMIT_PER_ADDRESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000_000).default(3000)),
  HANDOFF_RATE_LIMIT_METRICS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(60)),
  HANDOFF_RATE_LIMIT_PER_LINK: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(20)),
  HANDOFF_TRUST_PROXY: z.preprocess(emptyAsUndefined, trustProxy.default(false)),
  HANDOFF_MAX_STREAMS_PER_MEMBER: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(5)),
  HANDOFF_STREAM_BUFFER_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).max(1024 ** 3).default(1024 ** 2)),
  HANDOFF_CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  HANDOFF_OUTBOUND_ALLOW: z.preprocess(emptyAsUndefined, outboundAllow.default([])),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
  HANDOFF_TEMPORAL_UI_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8233)),
  HANDOFF_DELIVERY_RETRY_INITIAL: durationMs('PT10S'),
  HANDOFF_DELIVERY_RETRY_MAX: durationMs('PT1H'),
  HANDOFF_DELIVERY_DEADLINE: durationMs('PT24H', 1000),
  HANDOFF_DELIVERY_ATTEMPT_TIMEOUT: durationMs('PT1M', 1000),
  HANDOFF_WEBHOOK_DISABLE_AFTER: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(5)),
  HANDOFF_ACTION_LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'at least 32 characters').optional()),
  HANDOFF_ACTION_LINK_TTL: durationMs('PT72H', 1000),
  HANDOFF_SESSION_IDLE: durationMs('PT8H', 1000),
  HANDOFF_SESSION_MAX: durationMs('P30D', 1000),
  HANDOFF_WORKER_MAX_CACHED_WORKFLOWS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(100_000).optional()),
  /** The earlier name of HANDOFF_WORKER_MAX_CACHED_WORKFLOWS, still read. */
  HANDOFF_WORKER_CACHED_WORKFLOWS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(100_000).default(500)),
  HANDOFF_WORKER_WORKFLOW_TASKS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2).max(1000).default(40)),
  HANDOFF_WORKER_ACTIVITIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(100)),
  HANDOFF_WORKER_SHUTDOWN_GRACE: durationMs('PT10S', 0),
  HANDOFF_WORKFLOW_BUNDLE: z.preprocess(emptyAsUndefined, z.string().optional()),
  HANDOFF_WORKER_METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(9464)),
  HANDOFF_RECONCILE_INTERVAL: durationMs('PT5M', 0),
  HANDOFF_SCORECARD_EMAIL_SCHEDULE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .regex(/^(off|@(yearly|annually|monthly|weekly|daily|hourly)|[\w*,/?#-]+( +[\w*,/?#-]+){4})$/i, "a cron expression of five fields (minute hour day-of-month month day-of-week, UTC), such as '0 6 1 * *', or 'off'")
      .default('0 6 1 * *')
      .transform((cron) => (cron.toLowerCase() === 'off' ? null : cron)),
  ),
  HANDOFF_WORKER_VERSIONING: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).optional()),
  HANDOFF_DEPLOYMENT_NAME: z.preprocess(emptyAsUndefined, z.string().regex(/^[^\s.]{1,100}$/, 'up to 100 characters, without dots or spaces').default('handoff')),
  HANDOFF_BUILD_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\S{1,200}$/, 'up to 200 characters, without spaces').optional()),
  HANDOFF_PROMOTE_ON_START: z.preprocess(emptyAsUndefined, z.enum(['always', 'initial', 'never']).default('initial')),
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
    /** Where notification deliveries run (a worker polls both queues). */
    deliveryTaskQueue: string;
    cliPath: string | undefined;
    /** Port of the embedded dev server's web UI (0: a free one). */
    uiPort: number;
    /**
     * TLS to the cluster (Temporal Cloud, a self-hosted cluster with TLS): on when any of these is
     * set. Files are PEM paths; the client certificate and key go together (mTLS). An API key is
     * sent as a bearer token (Temporal Cloud API keys) and implies TLS.
     */
    tls: { certPath: string | undefined; keyPath: string | undefined; caPath: string | undefined; serverName: string | undefined } | undefined;
    apiKey: string | undefined;
  };
  smtp: { url: string | undefined; from: string };
  bootstrapAdminKey: string | undefined;
  /** Key rotations a member may make in 24 hours (a sliding window). */
  apiKeyRotationsPerDay: number;
  seedDemo: boolean;
  slaTargets: Record<ClockName, Record<Priority, string>>;
  /** Requests per minute per API key. */
  rateLimitPerMinute: number;
  /** Requests per minute, counted in the database so every API replica shares them. */
  rateLimits: {
    /** Per member, over all of the member's keys. */
    perMember: number;
    /** Per client address, before authentication, on every route. */
    perAddress: number;
    /** GET /metrics per client address. */
    metrics: number;
    /** The action pages per link token (per address they share rateLimitPerMinute). */
    perLink: number;
  };
  /** Express's `trust proxy` setting: who is the client address (HANDOFF_TRUST_PROXY). */
  trustProxy: boolean | number | string[];
  /** The escalation stream: open streams per member (across replicas) and the bytes a client may leave unread. */
  streams: { maxPerMember: number; maxBufferedBytes: number };
  /** Origins allowed by CORS: a list, '*' for any, empty for none. */
  corsOrigins: string[];
  /**
   * Internal hosts and CIDRs webhook and chat URLs may reach on purpose (HANDOFF_OUTBOUND_ALLOW);
   * empty: only public addresses.
   */
  outboundAllow: string[];
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Unset: the entry point's default (readable lines for npm start, JSON for the production processes). */
  logFormat: LogFormat | undefined;
  /** How notification deliveries are retried: doubling from initial up to max, for deadline. */
  deliveryRetry: { initialIntervalMs: number; maximumIntervalMs: number; deadlineMs: number; attemptTimeoutMs: number };
  /** A member's webhook is disabled after this many notifications in a row failed for good. */
  webhookDisableAfter: number;
  /** How often the reconciler compares open briefs with their workflows (a Temporal Schedule the worker keeps); 0 turns it off. */
  reconcileIntervalMs: number;
  /** When the monthly scorecard emails go out (a cron expression in UTC, a Temporal Schedule the worker keeps); null pauses them. */
  scorecardEmailSchedule: string | null;
  /**
   * One-click links in emails: signed with this secret (else one generated once and kept in the
   * database), valid for ttlMs.
   */
  actionLinks: { secret: string | undefined; ttlMs: number };
  /**
   * Web app sessions (the handoff_session cookie): a session ends after idleMs without a request
   * (HANDOFF_SESSION_IDLE) and maxMs after sign-in whatever happens (HANDOFF_SESSION_MAX).
   */
  sessions: { idleMs: number; maxMs: number };
  /**
   * The worker's tuning: briefs kept in its cache between workflow tasks (its memory grows with
   * them; an evicted brief is replayed from its short history when it wakes), workflow tasks and
   * activities run at once, and how long activities in flight may finish when it stops.
   */
  worker: {
    maxCachedWorkflows: number;
    maxWorkflowTasks: number;
    maxActivities: number;
    shutdownGraceMs: number;
    /** Where `npm run start:worker` serves the SDK's Prometheus metrics (0: not at all). */
    metricsPort: number;
    /** Deliveries a worker sends at once, and at most how many a second all workers start together. */
    deliveryActivities: number;
    deliveriesPerSecond: number;
  };
  /** The prebuilt workflow bundle production workers load (unset: dist/workflow-bundle.js). */
  workflowBundlePath: string | undefined;
  /**
   * Worker Deployment Versioning (README: Deploying a new version safely): the workers poll as
   * version `buildId` of the deployment `deploymentName`, and get workflow tasks only while that
   * version is the deployment's current one. `enabled` unset: the entry point's default (off for
   * npm start, on for start:worker); `buildId` unset: derived from the workflow code. A worker
   * starting makes its version current always, only when the deployment has none yet (initial),
   * or never (npm run deploy:promote does).
   */
  workerVersioning: { enabled: boolean | undefined; deploymentName: string; buildId: string | undefined; promoteOnStart: 'always' | 'initial' | 'never' };
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
  if (!e.TEMPORAL_TLS_CERT !== !e.TEMPORAL_TLS_KEY) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its key for mTLS)');
  }
  if (e.HANDOFF_SESSION_IDLE > e.HANDOFF_SESSION_MAX) {
    throw new ConfigError('invalid configuration: HANDOFF_SESSION_IDLE is longer than HANDOFF_SESSION_MAX (a session ends at HANDOFF_SESSION_MAX however it is used)');
  }
  const overrides = e.HANDOFF_SLA_TARGETS ?? {};
  return {
    port: e.PORT,
    dataDir: path.resolve(e.HANDOFF_DATA_DIR),
    publicUrl: e.HANDOFF_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      deliveryTaskQueue: e.TEMPORAL_DELIVERY_TASK_QUEUE ?? `${e.TEMPORAL_TASK_QUEUE}-delivery`,
      cliPath: e.TEMPORAL_CLI_PATH,
      uiPort: e.HANDOFF_TEMPORAL_UI_PORT,
      tls:
        e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_KEY || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY
          ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY, caPath: e.TEMPORAL_TLS_CA, serverName: e.TEMPORAL_TLS_SERVER_NAME }
          : undefined,
      apiKey: e.TEMPORAL_API_KEY,
    },
    smtp: { url: e.SMTP_URL, from: e.SMTP_FROM },
    bootstrapAdminKey: e.HANDOFF_BOOTSTRAP_ADMIN_KEY,
    apiKeyRotationsPerDay: e.HANDOFF_API_KEY_ROTATIONS_PER_DAY,
    seedDemo: e.HANDOFF_SEED_DEMO,
    slaTargets: {
      acknowledge: { ...DEFAULT_SLA_TARGETS.acknowledge, ...overrides.acknowledge },
      deliver: { ...DEFAULT_SLA_TARGETS.deliver, ...overrides.deliver },
      review: { ...DEFAULT_SLA_TARGETS.review, ...overrides.review },
    },
    rateLimitPerMinute: e.HANDOFF_RATE_LIMIT,
    rateLimits: {
      perMember: e.HANDOFF_RATE_LIMIT_PER_MEMBER ?? Math.min(2 * e.HANDOFF_RATE_LIMIT, 2_000_000),
      perAddress: e.HANDOFF_RATE_LIMIT_PER_ADDRESS,
      metrics: e.HANDOFF_RATE_LIMIT_METRICS,
      perLink: e.HANDOFF_RATE_LIMIT_PER_LINK,
    },
    trustProxy: e.HANDOFF_TRUST_PROXY,
    streams: { maxPerMember: e.HANDOFF_MAX_STREAMS_PER_MEMBER, maxBufferedBytes: e.HANDOFF_STREAM_BUFFER_LIMIT },
    corsOrigins: (e.HANDOFF_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    outboundAllow: e.HANDOFF_OUTBOUND_ALLOW,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    deliveryRetry: {
      initialIntervalMs: e.HANDOFF_DELIVERY_RETRY_INITIAL,
      maximumIntervalMs: e.HANDOFF_DELIVERY_RETRY_MAX,
      deadlineMs: e.HANDOFF_DELIVERY_DEADLINE,
      attemptTimeoutMs: e.HANDOFF_DELIVERY_ATTEMPT_TIMEOUT,
    },
    webhookDisableAfter: e.HANDOFF_WEBHOOK_DISABLE_AFTER,
    reconcileIntervalMs: e.HANDOFF_RECONCILE_INTERVAL,
    scorecardEmailSchedule: e.HANDOFF_SCORECARD_EMAIL_SCHEDULE,
    actionLinks: { secret: e.HANDOFF_ACTION_LINK_SECRET, ttlMs: e.HANDOFF_ACTION_LINK_TTL },
    sessions: { idleMs: e.HANDOFF_SESSION_IDLE, maxMs: e.HANDOFF_SESSION_MAX },
    worker: {
      maxCachedWorkflows: e.HANDOFF_WORKER_MAX_CACHED_WORKFLOWS ?? e.HANDOFF_WORKER_CACHED_WORKFLOWS,
      maxWorkflowTasks: e.HANDOFF_WORKER_WORKFLOW_TASKS,
      maxActivities: e.HANDOFF_WORKER_ACTIVITIES,
      shutdownGraceMs: e.HANDOFF_WORKER_SHUTDOWN_GRACE,
      metricsPort: e.HANDOFF_WORKER_METRICS_PORT,
      deliveryActivities: e.HANDOFF_DELIVERY_WORKER_ACTIVITIES,
      deliveriesPerSecond: e.HANDOFF_DELIVERY_RATE_LIMIT,
    },
    workflowBundlePath: e.HANDOFF_WORKFLOW_BUNDLE ? path.resolve(e.HANDOFF_WORKFLOW_BUNDLE) : undefined,
    workerVersioning: {
      enabled: e.HANDOFF_WORKER_VERSIONING === undefined ? undefined : e.HANDOFF_WORKER_VERSIONING === 'on',
      deploymentName: e.HANDOFF_DEPLOYMENT_NAME,
      buildId: e.HANDOFF_BUILD_ID,
      promoteOnStart: e.HANDOFF_PROMOTE_ON_START,
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
