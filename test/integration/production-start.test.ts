// Production runs the API and the workers as separate processes against PostgreSQL and a
// Temporal server, after `npm run db:migrate`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ADMIN_KEY, createPostgresDatabase } from '../support/handoff';
import { apiClient, eventually } from '../support/http';
import { devServerEnv } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
/** How package.json's scripts run TypeScript: node with tsx's loader. */
const TSX = ['--import', 'tsx'];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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
      const env1 = baseEnv({
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
    }, 120_000);
  });
});
