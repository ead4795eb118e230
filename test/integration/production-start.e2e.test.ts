// Production runs the API and the workers as separate processes against PostgreSQL and a
// Temporal server, after `npm run db:migrate`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ADMIN_KEY, createPostgresDatabase } from '../support/handoff';
import { apiClient, eventually } from '../support/http';
import { freePort } from '../support/processes';
import { devServerEnv } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
/** How package.json's scripts run TypeScript: node with tsx's loader. */
const TSX = ['--import', 'tsx'];

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', ...extra };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'HANDOFF_BOOTSTRAP_ADMIN_KEY']) if (!(name in extra)) delete env[name];
  return env;
}

describe('production processes', () => {
  test('refuse to start without DATABASE_URL and TEMPORAL_ADDRESS', () => {
    for (const entry of ['api/main.ts', 'worker/main.ts']) {
      const result = spawnSync(process.execPath, [...TSX, entry], { cwd: ROOT, env: baseEnv({}), encoding: 'utf8', timeout: 30_000 });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('DATABASE_URL and TEMPORAL_ADDRESS must be set');
    }
  });

  test('a bootstrap admin key shorter than 32 characters stops the migration and the API at start, naming the variable and the minimum', () => {
    for (const entry of ['prisma/migrate-cli.ts', 'api/main.ts']) {
      const result = spawnSync(process.execPath, [...TSX, entry], {
        cwd: ROOT,
        env: baseEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1', HANDOFF_BOOTSTRAP_ADMIN_KEY: 'only-31-characters-long-0123456' }),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('HANDOFF_BOOTSTRAP_ADMIN_KEY: at least 32 characters');
      expect(result.stderr).not.toContain('only-31-characters-long');
    }
  });

  test('a worker without its prebuilt workflow bundle refuses to start, saying how to build it', () => {
    const result = spawnSync(process.execPath, [...TSX, 'worker/main.ts'], {
      cwd: ROOT,
      env: baseEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1', HANDOFF_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the prebuilt workflow bundle /nonexistent/workflow-bundle.js is missing: build it with npm run build:workflows');
  });

  describe('started separately', () => {
    let env: TestWorkflowEnvironment;
    let database: { url: string; drop(): Promise<void> };
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      env = await devServerEnv();
      database = await createPostgresDatabase();
    });

    afterAll(async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      await database?.drop();
      await env?.teardown();
    });

    test('db:migrate, one worker and one API serve a brief end to end', async () => {
      const port = await freePort();
      const metricsPort = await freePort();
      const env1 = baseEnv({
        HANDOFF_WORKER_METRICS_PORT: String(metricsPort),
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: 'handoff-production-test',
        HANDOFF_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        PORT: String(port),
      });
      const migrate = spawnSync(process.execPath, [...TSX, 'prisma/migrate-cli.ts'], { cwd: ROOT, env: env1, encoding: 'utf8', timeout: 60_000 });
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toContain('applied: 20261126000000_init');
      expect(migrate.stdout).toContain('bootstrap admin created');
      const again = spawnSync(process.execPath, [...TSX, 'prisma/migrate-cli.ts'], { cwd: ROOT, env: env1, encoding: 'utf8', timeout: 60_000 });
      expect(again.stdout).toContain('database is up to date');

      for (const entry of ['worker/main.ts', 'api/main.ts']) {
        children.push(spawn(process.execPath, [...TSX, entry], { cwd: ROOT, env: env1, stdio: 'ignore' }));
      }
      const url = `http://localhost:${port}`;
      await eventually(async () => {
        const res = await fetch(`${url}/healthz`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      }, 60_000, 250);

      const admin = apiClient(url, ADMIN_KEY);
      const shop = (await admin.post('/v1/parties', { name: 'Shop', kind: 'ecommerce' })).body.id;
      const it = (await admin.post('/v1/parties', { name: 'IT', kind: 'it' })).body.id;
      const managerId = (await admin.post(`/v1/parties/${shop}/members`, { name: 'M', email: 'm@shop.example', role: 'manager' })).body.id;
      const memberId = (await admin.post(`/v1/parties/${it}/members`, { name: 'I', email: 'i@shop.example', role: 'member' })).body.id;
      const manager = apiClient(url, (await admin.post(`/v1/members/${managerId}/api-keys`)).body.key);
      const member = apiClient(url, (await admin.post(`/v1/members/${memberId}/api-keys`)).body.key);

      const created = await manager.post('/v1/briefs', { title: 'Checkout 500s', description: 'Investigate', partyId: it, priority: 'P1' });
      expect(created.status).toBe(201);
      const acknowledged = await member.post(`/v1/briefs/${created.body.id}/acknowledge`, {});
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.status).toBe('in_progress');

      // The worker serves the SDK's metrics to Prometheus.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^temporal_workflow_task_execution_latency_(bucket|count|sum)\{/m);
      expect(metrics).toMatch(/^temporal_activity_execution_latency_(bucket|count|sum)\{/m);
      expect(metrics).toContain('task_queue="handoff-production-test"');

      // The worker container's health check: healthy while this host's worker polls its queue.
      const healthcheck = (extra: Record<string, string>) =>
        spawnSync(process.execPath, [...TSX, 'worker/healthcheck.ts'], { cwd: ROOT, env: { ...env1, ...extra }, encoding: 'utf8', timeout: 30_000 }).status;
      expect(healthcheck({})).toBe(0);
      expect(healthcheck({ TEMPORAL_TASK_QUEUE: 'a-queue-no-worker-polls' })).toBe(1);
      expect(healthcheck({ TEMPORAL_ADDRESS: '127.0.0.1:1' })).toBe(1);
    }, 120_000);
  });
});
