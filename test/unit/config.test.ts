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
      temporal: { address: undefined, namespace: 'default', taskQueue: 'handoff', cliPath: undefined, uiPort: 8233 },
      smtp: { url: undefined, from: 'Handoff <handoff@localhost>' },
      bootstrapAdminKey: undefined,
      seedDemo: true,
      slaTargets: DEFAULT_SLA_TARGETS,
      rateLimitPerMinute: 600,
      corsOrigins: [],
      logLevel: 'info',
      logFormat: undefined,
      deliveryRetry: { initialIntervalMs: 10_000, maximumIntervalMs: 3_600_000, deadlineMs: 86_400_000, attemptTimeoutMs: 60_000 },
      webhookDisableAfter: 5,
      actionLinks: { secret: undefined, ttlMs: 604_800_000 },
      worker: { maxCachedWorkflows: 500, maxWorkflowTasks: 40, maxActivities: 100, shutdownGraceMs: 10_000 },
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

describe('worker tuning', () => {
  it('reads the cache size, slots and shutdown grace, and refuses values the SDK would refuse', () => {
    const config = loadConfig({ HANDOFF_WORKER_CACHED_WORKFLOWS: '0', HANDOFF_WORKER_WORKFLOW_TASKS: '8', HANDOFF_WORKER_ACTIVITIES: '20', HANDOFF_WORKER_SHUTDOWN_GRACE: 'PT30S' });
    expect(config.worker).toEqual({ maxCachedWorkflows: 0, maxWorkflowTasks: 8, maxActivities: 20, shutdownGraceMs: 30_000 });
    expect(workerTuning(config)).toMatchObject({ maxCachedWorkflows: 0, maxConcurrentWorkflowTaskExecutions: 8, maxConcurrentActivityTaskExecutions: 20, shutdownGraceTime: 30_000 });
    // The SDK needs at least two workflow-task slots while it caches workflows.
    expect(() => loadConfig({ HANDOFF_WORKER_WORKFLOW_TASKS: '1' })).toThrow(/HANDOFF_WORKER_WORKFLOW_TASKS/);
    expect(() => loadConfig({ HANDOFF_WORKER_CACHED_WORKFLOWS: 'many' })).toThrow(/HANDOFF_WORKER_CACHED_WORKFLOWS/);
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
