import path from 'node:path';
import { ConfigError, DEFAULT_SLA_TARGETS, loadConfig, requireProductionConfig } from '../../lib/config';
import { workerTuning } from '../../worker/worker';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('uses the embedded-mode defaults', () => {
    expect(config).toEqual({
      port: 3000,
      dataDir: path.resolve('./data'),
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      temporal: { address: undefined, namespace: 'default', taskQueue: 'handoff', deliveryTaskQueue: 'handoff-delivery', cliPath: undefined, uiPort: 8233, tls: undefined, apiKey: undefined },
      smtp: { url: undefined, from: 'Handoff <handoff@localhost>' },
      bootstrapAdminKey: undefined,
      apiKeyRotationsPerDay: 10,
      seedDemo: true,
      slaTargets: DEFAULT_SLA_TARGETS,
      rateLimitPerMinute: 600,
      rateLimits: { perMember: 1200, perAddress: 3000, metrics: 60, perLink: 20 },
      trustProxy: false,
      streams: { maxPerMember: 5, maxBufferedBytes: 1_048_576 },
      corsOrigins: [],
      // Nothing internal is reachable by default, the embedded start included.
      outboundAllow: [],
      logLevel: 'info',
      logFormat: undefined,
      deliveryRetry: { initialIntervalMs: 10_000, maximumIntervalMs: 3_600_000, deadlineMs: 86_400_000, attemptTimeoutMs: 60_000 },
      webhookDisableAfter: 5,
      reconcileIntervalMs: 300_000,
      scorecardEmailSchedule: '0 6 1 * *',
      actionLinks: { secret: undefined, ttlMs: 259_200_000 },
      sessions: { idleMs: 8 * 3_600_000, maxMs: 30 * 86_400_000 },
      worker: { maxCachedWorkflows: 500, maxWorkflowTasks: 40, maxActivities: 100, shutdownGraceMs: 10_000, metricsPort: 9464, deliveryActivities: 50, deliveriesPerSecond: 100 },
      workflowBundlePath: undefined,
      workerVersioning: { enabled: undefined, deploymentName: 'handoff', buildId: undefined, promoteOnStart: 'initial' },
    });
  });

  it('resolves the data folder to an absolute path', () => {
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(loadConfig({ HANDOFF_DATA_DIR: 'elsewhere/x' }).dataDir).toBe(path.resolve('elsewhere/x'));
  });

  it('reads only the environment it is given', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9999';
    try {
      expect(loadConfig({}).port).toBe(3000);
      expect(loadConfig().port).toBe(9999);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('has the documented default SLA targets', () => {
    expect(DEFAULT_SLA_TARGETS).toEqual({
      acknowledge: { P1: 'PT1H', P2: 'PT4H', P3: 'P1D', P4: 'P2D' },
      deliver: { P1: 'P1D', P2: 'P3D', P3: 'P5D', P4: 'P10D' },
      review: { P1: 'PT4H', P2: 'P1D', P3: 'P2D', P4: 'P3D' },
    });
  });
});

describe('loadConfig values', () => {
  it('reads a port and derives the public URL from it', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('accepts PORT=0 (pick a free port)', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('takes an explicit public URL over the derived one', () => {
    expect(loadConfig({ PORT: '8080', HANDOFF_PUBLIC_URL: 'https://handoff.example.com' }).publicUrl).toBe('https://handoff.example.com');
  });

  it('accepts postgres:// and postgresql:// database URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/handoff' }).databaseUrl).toBe('postgres://u:p@db:5432/handoff');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db/handoff' }).databaseUrl).toBe('postgresql://u:p@db/handoff');
  });

  it('accepts smtp:// and smtps:// URLs', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail:587' }).smtp.url).toBe('smtp://mail:587');
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail:465' }).smtp.url).toBe('smtps://u:p@mail:465');
  });

  it('treats empty optional variables as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', SMTP_URL: '', TEMPORAL_ADDRESS: '', HANDOFF_PUBLIC_URL: '', HANDOFF_SLA_TARGETS: '', HANDOFF_BOOTSTRAP_ADMIN_KEY: '' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.smtp.url).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.bootstrapAdminKey).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.slaTargets).toEqual(DEFAULT_SLA_TARGETS);
  });

  it('reads the Temporal settings, demo seeding and log level', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_TASK_QUEUE: 'briefs',
      HANDOFF_SEED_DEMO: 'false',
      LOG_LEVEL: 'debug',
    });
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'prod', taskQueue: 'briefs' });
    expect(config.seedDemo).toBe(false);
    expect(config.logLevel).toBe('debug');
  });

  it('merges HANDOFF_SLA_TARGETS overrides with the defaults', () => {
    const config = loadConfig({ HANDOFF_SLA_TARGETS: JSON.stringify({ acknowledge: { P1: 'PT30M' }, review: { P3: 'PT12H', P4: 'P1W' } }) });
    expect(config.slaTargets).toEqual({
      acknowledge: { ...DEFAULT_SLA_TARGETS.acknowledge, P1: 'PT30M' },
      deliver: DEFAULT_SLA_TARGETS.deliver,
      review: { ...DEFAULT_SLA_TARGETS.review, P3: 'PT12H', P4: 'P1W' },
    });
  });

  it('does not mutate the defaults when merging', () => {
    const before = structuredClone(DEFAULT_SLA_TARGETS);
    loadConfig({ HANDOFF_SLA_TARGETS: '{"deliver":{"P1":"PT1H"}}' });
    expect(DEFAULT_SLA_TARGETS).toEqual(before);
  });
});

describe('loadConfig rejections', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://u:p@db/handoff'],
    ['DATABASE_URL', 'db:5432'],
    ['SMTP_URL', 'http://mail'],
    ['SMTP_URL', 'mail:25'],
    ['HANDOFF_PUBLIC_URL', 'not a url'],
    ['HANDOFF_BOOTSTRAP_ADMIN_KEY', 'too-short'],
    ['HANDOFF_SEED_DEMO', 'yes'],
    ['LOG_LEVEL', 'verbose'],
    ['HANDOFF_SLA_TARGETS', 'not json'],
    ['HANDOFF_SLA_TARGETS', 'null'],
    ['HANDOFF_SLA_TARGETS', '[]'],
    ['HANDOFF_SLA_TARGETS', '{"acknowledge":{"P1":"1h"}}'],
    ['HANDOFF_SLA_TARGETS', '{"deliver":{"P2":"P1M"}}'],
    ['HANDOFF_SLA_TARGETS', '{"review":{"P3":3600000}}'],
  ])('rejects %s=%j with a ConfigError naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.name).toBe('ConfigError');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(new RegExp(`(^|[ ;])${name}(\\.|:)`));
  });

  it('names the clock and priority of a bad SLA target', () => {
    expect(configError({ HANDOFF_SLA_TARGETS: '{"acknowledge":{"P1":"1h"}}' }).message).toContain('HANDOFF_SLA_TARGETS.acknowledge.P1');
  });

  it('rejects unknown clock or priority names in HANDOFF_SLA_TARGETS', () => {
    configError({ HANDOFF_SLA_TARGETS: '{"acknowledgement":{"P1":"PT30M"}}' });
    configError({ HANDOFF_SLA_TARGETS: '{"acknowledge":{"p1":"PT30M"}}' });
  });

  it('lists every invalid variable at once', () => {
    const message = configError({ PORT: 'x', DATABASE_URL: 'mysql://db', SMTP_URL: 'http://mail' }).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('SMTP_URL');
  });

  it('treats an empty PORT as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });
});

describe('requireProductionConfig', () => {
  const production = { DATABASE_URL: 'postgresql://u:p@db/handoff', TEMPORAL_ADDRESS: 'temporal:7233' };

  it('accepts a config with a database and a Temporal address', () => {
    expect(() => requireProductionConfig(loadConfig(production))).not.toThrow();
  });

  it('names both missing variables', () => {
    expect(() => requireProductionConfig(loadConfig({}))).toThrow(ConfigError);
    expect(() => requireProductionConfig(loadConfig({}))).toThrow(/^DATABASE_URL and TEMPORAL_ADDRESS must be set/);
  });

  it('names only DATABASE_URL when only it is missing', () => {
    expect(() => requireProductionConfig(loadConfig({ TEMPORAL_ADDRESS: production.TEMPORAL_ADDRESS }))).toThrow(/^DATABASE_URL must be set/);
  });

  it('names only TEMPORAL_ADDRESS when only it is missing', () => {
    expect(() => requireProductionConfig(loadConfig({ DATABASE_URL: production.DATABASE_URL }))).toThrow(/^TEMPORAL_ADDRESS must be set/);
  });
});

describe('loadConfig API settings', () => {
  it('reads the rate limit and a comma-separated CORS origin list', () => {
    const config = loadConfig({ HANDOFF_RATE_LIMIT: '20', HANDOFF_CORS_ORIGINS: 'https://shop.example, https://admin.shop.example' });
    expect(config.rateLimitPerMinute).toBe(20);
    expect(config.corsOrigins).toEqual(['https://shop.example', 'https://admin.shop.example']);
  });

  it('rejects a rate limit that is not a positive whole number', () => {
    expect(() => loadConfig({ HANDOFF_RATE_LIMIT: '0' })).toThrow(/HANDOFF_RATE_LIMIT/);
    expect(() => loadConfig({ HANDOFF_RATE_LIMIT: 'lots' })).toThrow(/HANDOFF_RATE_LIMIT/);
  });

  it('reads the limits per member (twice the key limit unless set), per address, on /metrics, per link and on streams', () => {
    expect(loadConfig({ HANDOFF_RATE_LIMIT: '50' }).rateLimits.perMember).toBe(100);
    const config = loadConfig({
      HANDOFF_RATE_LIMIT_PER_MEMBER: '70',
      HANDOFF_RATE_LIMIT_PER_ADDRESS: '900',
      HANDOFF_RATE_LIMIT_METRICS: '12',
      HANDOFF_RATE_LIMIT_PER_LINK: '7',
      HANDOFF_MAX_STREAMS_PER_MEMBER: '3',
      HANDOFF_STREAM_BUFFER_LIMIT: '65536',
    });
    expect(config.rateLimits).toEqual({ perMember: 70, perAddress: 900, metrics: 12, perLink: 7 });
    expect(config.streams).toEqual({ maxPerMember: 3, maxBufferedBytes: 65_536 });
    for (const name of ['HANDOFF_RATE_LIMIT_PER_ADDRESS', 'HANDOFF_RATE_LIMIT_METRICS', 'HANDOFF_RATE_LIMIT_PER_LINK', 'HANDOFF_MAX_STREAMS_PER_MEMBER']) {
      expect(() => loadConfig({ [name]: '0' })).toThrow(new RegExp(name));
    }
  });

  it('reads HANDOFF_TRUST_PROXY as Express takes trust proxy: true, false, a hop count or addresses, CIDRs and names', () => {
    expect(loadConfig({ HANDOFF_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ HANDOFF_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ HANDOFF_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ HANDOFF_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8 ,192.0.2.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    expect(configError({ HANDOFF_TRUST_PROXY: 'yes please' }).message).toMatch(/HANDOFF_TRUST_PROXY/);
  });
});

describe('notification delivery settings', () => {
  it('read ISO 8601 durations and refuse what is not one', () => {
    const config = loadConfig({ HANDOFF_DELIVERY_RETRY_INITIAL: 'PT0.5S', HANDOFF_DELIVERY_RETRY_MAX: 'PT5M', HANDOFF_DELIVERY_DEADLINE: 'PT2H', HANDOFF_WEBHOOK_DISABLE_AFTER: '3' });
    expect(config.deliveryRetry).toEqual({ initialIntervalMs: 500, maximumIntervalMs: 300_000, deadlineMs: 7_200_000, attemptTimeoutMs: 60_000 });
    expect(config.webhookDisableAfter).toBe(3);
    expect(() => loadConfig({ HANDOFF_DELIVERY_RETRY_INITIAL: 'ten seconds' })).toThrow(/HANDOFF_DELIVERY_RETRY_INITIAL/);
    expect(() => loadConfig({ HANDOFF_WEBHOOK_DISABLE_AFTER: '0' })).toThrow(/HANDOFF_WEBHOOK_DISABLE_AFTER/);
  });
});

describe('the reconciler', () => {
  it('runs every HANDOFF_RECONCILE_INTERVAL (an ISO 8601 duration), 0 turning it off', () => {
    expect(loadConfig({ HANDOFF_RECONCILE_INTERVAL: 'PT30S' }).reconcileIntervalMs).toBe(30_000);
    expect(loadConfig({ HANDOFF_RECONCILE_INTERVAL: 'PT0S' }).reconcileIntervalMs).toBe(0);
    expect(() => loadConfig({ HANDOFF_RECONCILE_INTERVAL: 'hourly' })).toThrow(/HANDOFF_RECONCILE_INTERVAL/);
  });
});

describe('the monthly scorecard email', () => {
  it('goes out by HANDOFF_SCORECARD_EMAIL_SCHEDULE (a cron expression in UTC), on the 1st at 06:00 by default, off pausing it', () => {
    expect(loadConfig({ HANDOFF_SCORECARD_EMAIL_SCHEDULE: '30 7 2 * *' }).scorecardEmailSchedule).toBe('30 7 2 * *');
    expect(loadConfig({ HANDOFF_SCORECARD_EMAIL_SCHEDULE: '@monthly' }).scorecardEmailSchedule).toBe('@monthly');
    expect(loadConfig({ HANDOFF_SCORECARD_EMAIL_SCHEDULE: 'off' }).scorecardEmailSchedule).toBeNull();
    expect(loadConfig({ HANDOFF_SCORECARD_EMAIL_SCHEDULE: '' }).scorecardEmailSchedule).toBe('0 6 1 * *');
    expect(() => loadConfig({ HANDOFF_SCORECARD_EMAIL_SCHEDULE: 'monthly' })).toThrow(/HANDOFF_SCORECARD_EMAIL_SCHEDULE/);
  });
});

describe('worker tuning', () => {
  it('reads the cache size, slots and shutdown grace, and refuses values the SDK would refuse', () => {
    const config = loadConfig({ HANDOFF_WORKER_CACHED_WORKFLOWS: '0', HANDOFF_WORKER_WORKFLOW_TASKS: '8', HANDOFF_WORKER_ACTIVITIES: '20', HANDOFF_WORKER_SHUTDOWN_GRACE: 'PT30S' });
    expect(config.worker).toEqual({ maxCachedWorkflows: 0, maxWorkflowTasks: 8, maxActivities: 20, shutdownGraceMs: 30_000, metricsPort: 9464, deliveryActivities: 50, deliveriesPerSecond: 100 });
    expect(workerTuning(config)).toMatchObject({ maxCachedWorkflows: 0, maxConcurrentWorkflowTaskExecutions: 8, maxConcurrentActivityTaskExecutions: 20, shutdownGraceTime: 30_000 });
    // The SDK needs at least two workflow-task slots while it caches workflows.
    expect(() => loadConfig({ HANDOFF_WORKER_WORKFLOW_TASKS: '1' })).toThrow(/HANDOFF_WORKER_WORKFLOW_TASKS/);
    expect(() => loadConfig({ HANDOFF_WORKER_CACHED_WORKFLOWS: 'many' })).toThrow(/HANDOFF_WORKER_CACHED_WORKFLOWS/);
  });

  it('puts deliveries on their own queue with their own slots and rate', () => {
    const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'shop', HANDOFF_DELIVERY_WORKER_ACTIVITIES: '5', HANDOFF_DELIVERY_RATE_LIMIT: '2.5' });
    expect(config.temporal.deliveryTaskQueue).toBe('shop-delivery');
    expect(config.worker).toMatchObject({ deliveryActivities: 5, deliveriesPerSecond: 2.5 });
    expect(loadConfig({ TEMPORAL_DELIVERY_TASK_QUEUE: 'mail' }).temporal.deliveryTaskQueue).toBe('mail');
    expect(() => loadConfig({ HANDOFF_DELIVERY_RATE_LIMIT: '0' })).toThrow(/HANDOFF_DELIVERY_RATE_LIMIT/);
  });

  it('serves the SDK metrics on HANDOFF_WORKER_METRICS_PORT, 9464 by default, 0 for not at all', () => {
    expect(loadConfig({}).worker.metricsPort).toBe(9464);
    expect(loadConfig({ HANDOFF_WORKER_METRICS_PORT: '0' }).worker.metricsPort).toBe(0);
    expect(() => loadConfig({ HANDOFF_WORKER_METRICS_PORT: '70000' })).toThrow(/HANDOFF_WORKER_METRICS_PORT/);
  });

  it('takes the cache size from HANDOFF_WORKER_MAX_CACHED_WORKFLOWS before its earlier name', () => {
    expect(loadConfig({}).worker.maxCachedWorkflows).toBe(500);
    expect(loadConfig({ HANDOFF_WORKER_MAX_CACHED_WORKFLOWS: '50' }).worker.maxCachedWorkflows).toBe(50);
    expect(loadConfig({ HANDOFF_WORKER_MAX_CACHED_WORKFLOWS: '50', HANDOFF_WORKER_CACHED_WORKFLOWS: '7' }).worker.maxCachedWorkflows).toBe(50);
    expect(loadConfig({ HANDOFF_WORKER_CACHED_WORKFLOWS: '7' }).worker.maxCachedWorkflows).toBe(7);
    expect(() => loadConfig({ HANDOFF_WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/HANDOFF_WORKER_MAX_CACHED_WORKFLOWS/);
  });
});

describe('keys and links', () => {
  it('refuses a HANDOFF_BOOTSTRAP_ADMIN_KEY shorter than 32 characters, naming the variable and the minimum', () => {
    const err = configError({ HANDOFF_BOOTSTRAP_ADMIN_KEY: 'x'.repeat(31) });
    expect(err.message).toMatch(/HANDOFF_BOOTSTRAP_ADMIN_KEY: at least 32 characters/);
    expect(loadConfig({ HANDOFF_BOOTSTRAP_ADMIN_KEY: 'x'.repeat(32) }).bootstrapAdminKey).toBe('x'.repeat(32));
  });

  it('keeps action links for HANDOFF_ACTION_LINK_TTL, 72 hours by default', () => {
    expect(loadConfig({}).actionLinks.ttlMs).toBe(72 * 3_600_000);
    expect(loadConfig({ HANDOFF_ACTION_LINK_TTL: 'P7D' }).actionLinks.ttlMs).toBe(7 * 86_400_000);
    expect(loadConfig({ HANDOFF_ACTION_LINK_TTL: 'PT2S' }).actionLinks.ttlMs).toBe(2_000);
    expect(() => loadConfig({ HANDOFF_ACTION_LINK_TTL: '72h' })).toThrow(/HANDOFF_ACTION_LINK_TTL/);
  });

  it('ends web sessions after HANDOFF_SESSION_IDLE unused (8 hours) and HANDOFF_SESSION_MAX in all (30 days)', () => {
    expect(loadConfig({ HANDOFF_SESSION_IDLE: 'PT2S', HANDOFF_SESSION_MAX: 'P1D' }).sessions).toEqual({ idleMs: 2_000, maxMs: 86_400_000 });
    expect(loadConfig({ HANDOFF_SESSION_IDLE: '', HANDOFF_SESSION_MAX: '' }).sessions).toEqual({ idleMs: 8 * 3_600_000, maxMs: 30 * 86_400_000 });
    expect(configError({ HANDOFF_SESSION_IDLE: '8h' }).message).toMatch(/HANDOFF_SESSION_IDLE: an ISO 8601 duration of at least 1000 ms, such as PT8H/);
    expect(configError({ HANDOFF_SESSION_MAX: 'PT0.5S' }).message).toMatch(/HANDOFF_SESSION_MAX: an ISO 8601 duration/);
    expect(configError({ HANDOFF_SESSION_IDLE: 'P2D', HANDOFF_SESSION_MAX: 'P1D' }).message).toMatch(/HANDOFF_SESSION_IDLE is longer than HANDOFF_SESSION_MAX/);
  });

  it('allows HANDOFF_API_KEY_ROTATIONS_PER_DAY key rotations a member a day, 10 by default', () => {
    expect(loadConfig({}).apiKeyRotationsPerDay).toBe(10);
    expect(loadConfig({ HANDOFF_API_KEY_ROTATIONS_PER_DAY: '2' }).apiKeyRotationsPerDay).toBe(2);
    expect(() => loadConfig({ HANDOFF_API_KEY_ROTATIONS_PER_DAY: '0' })).toThrow(/HANDOFF_API_KEY_ROTATIONS_PER_DAY/);
  });
});

describe('embedded start settings', () => {
  it('puts the Temporal UI on HANDOFF_TEMPORAL_UI_PORT, 8233 by default, 0 for a free one', () => {
    expect(loadConfig({}).temporal.uiPort).toBe(8233);
    expect(loadConfig({ HANDOFF_TEMPORAL_UI_PORT: '9233' }).temporal.uiPort).toBe(9233);
    expect(loadConfig({ HANDOFF_TEMPORAL_UI_PORT: '0' }).temporal.uiPort).toBe(0);
    expect(() => loadConfig({ HANDOFF_TEMPORAL_UI_PORT: '70000' })).toThrow(/HANDOFF_TEMPORAL_UI_PORT/);
  });

  it('takes LOG_FORMAT json or pretty, and leaves the choice to the entry point when unset', () => {
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });
});
