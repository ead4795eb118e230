// A worker killed in the middle of sending a webhook, and a new one started: the notification is
// delivered by the new worker with the same Idempotency-Key, so the receiver acts on it once, and
// nothing that was already sent (the email) is sent again. The API runs in this process; the
// workers are separate processes (`npm run start:worker`), killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../lib/config';
import { startHandoff, type RunningHandoff } from '../../start/handoff';
import { createLogger } from '../../lib/logger';
import { directory } from '../support/directory';
import { ADMIN_KEY, createPostgresDatabase } from '../support/handoff';
import { eventually } from '../support/http';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');

let env: TestWorkflowEnvironment;
let postgres: Awaited<ReturnType<typeof createPostgresDatabase>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let receiver: HttpReceiver;
let api: RunningHandoff;
let workerEnv: NodeJS.ProcessEnv;
let dataDir: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  postgres = await createPostgresDatabase();
  smtp = await startSmtpReceiver();
  receiver = await startHttpReceiver();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-crash-'));
  const shared = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `handoff-crash-${randomBytes(4).toString('hex')}`,
    SMTP_URL: smtp.url,
    HANDOFF_DATA_DIR: dataDir,
    HANDOFF_DELIVERY_RETRY_INITIAL: 'PT0.2S',
    HANDOFF_DELIVERY_ATTEMPT_TIMEOUT: 'PT3S',
    // The receivers listen on 127.0.0.1, which Handoff reaches only when allowed.
    HANDOFF_OUTBOUND_ALLOW: '127.0.0.1/32',
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig({ ...shared, PORT: '0', HANDOFF_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, HANDOFF_SEED_DEMO: 'false' });
  api = await startHandoff({ config, logger: createLogger('silent'), api: true, worker: false, prepareDatabase: true });
  workerEnv = { ...process.env, NODE_OPTIONS: '', ...shared };
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await api?.stop();
  await receiver?.stop();
  await smtp?.stop();
  await postgres?.drop();
  await env?.teardown();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(): ChildProcess {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: ROOT, env: workerEnv, stdio: 'ignore' });
  workers.push(worker);
  return worker;
}

test('a worker killed mid-send: the new worker delivers the webhook with the same Idempotency-Key, and nothing already sent is sent again', async () => {
  const dir = directory(api.url as string);
  const shop = await dir.party('Shop', 'ecommerce');
  const agency = await dir.party('Pixelwerk', 'agency');
  const manager = await dir.member(shop, 'manager');
  const paula = await dir.memberWith(agency, { name: 'Paula', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', webhookUrl: receiver.url });

  // The receiver takes its time with the first delivery: the worker is killed while it waits.
  receiver.delayNext(1, 30_000);
  const first = startWorker();
  const created = await manager.client.post('/v1/briefs', { title: 'Crash test', description: 'Sent while a worker dies', partyId: agency, priority: 'P1' });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;
  const forBrief = () => receiver.received.filter((r) => r.body?.brief?.id === briefId);
  await eventually(async () => (forBrief().length > 0 ? true : undefined), 60_000);
  await eventually(async () => (smtp.messages.some((m) => m.to.includes('paula@pixelwerk.example')) ? true : undefined), 30_000);
  // The email counts as sent once the outbox says so: an email received but not yet recorded when
  // a worker dies is sent again under the same Message-ID (the claim rule), which is not this case.
  await eventually(async () => {
    const email = await api.db.prisma.notification.findFirst({ where: { briefId, recipientId: paula.id, channel: 'email' } });
    return email?.status === 'sent' ? true : undefined;
  }, 30_000);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  startWorker();
  // The lost attempt is retried by the new worker once it has timed out.
  const attempts = await eventually(async () => (forBrief().length >= 2 ? forBrief() : undefined), 60_000);
  // Every attempt carries the same key: a receiver that keeps the keys it has seen acts once.
  const keys = new Set(attempts.map((r) => r.headers['idempotency-key']));
  expect(keys.size).toBe(1);
  expect([...keys][0]).toMatch(new RegExp(`^brief-${briefId}:1:${paula.id}:webhook$`));

  const row = await eventually(async () => {
    const rows = await api.db.prisma.notification.findMany({ where: { briefId, recipientId: paula.id } });
    return rows.every((r) => r.status === 'sent') && rows.length === 2 ? rows : undefined;
  }, 30_000);
  expect(row.map((r) => r.channel).sort()).toEqual(['email', 'webhook']);
  // The email went out before the crash and was not sent again.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(smtp.messages.filter((m) => m.to.includes('paula@pixelwerk.example'))).toHaveLength(1);
}, 180_000);
