// A whole production-shaped Handoff for the fault tests, every part a real process or server the
// test can break: a Temporal dev server on a file database, the worker and the API as child
// processes, the machine's PostgreSQL (a fresh database) reached through one TCP proxy for the
// worker and one for the API, an SMTP server and a webhook receiver on 127.0.0.1. The directory
// is an e-commerce team with a manager and an agency with one member; both take email and webhooks.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { openDatabase, type Database } from '../../lib/db/database';
import { briefQuery } from '../../workflows/brief/definitions';
import type { BriefView } from '../../workflows/domain/brief';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { directory, type Member } from './directory';
import { ADMIN_KEY, createPostgresDatabase } from './handoff';
import type { ApiClient } from './http';
import { apiProcess, freePort, migrate, temporalServer, workerProcess, type ManagedProcess, type TemporalServer } from './processes';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from './receivers';
import { startTcpProxy, throughProxy, type TcpProxy } from './tcp-proxy';

export interface FaultStackOptions {
  /** Settings for the worker and the API besides the ones every fault test needs. */
  env?: Record<string, string>;
}

export interface People {
  shopId: string;
  agencyId: string;
  manager: Member;
  /** The agency's only member: every party_members notification goes to them. */
  agent: Member;
  /** Their email addresses by member id. */
  emails: Record<string, string>;
}

export interface FaultStack {
  temporal: TemporalServer;
  worker: ManagedProcess;
  api: ManagedProcess;
  /** The API's base URL. */
  url: string;
  /** The proxies in front of PostgreSQL: one for the worker, one for the API. */
  proxies: { worker: TcpProxy; api: TcpProxy };
  /** The database reached directly, for the test's own reads. */
  db: Database;
  smtp: SmtpReceiver;
  webhooks: HttpReceiver;
  temporalClient: Client;
  people: People;
  admin: ApiClient;
  /** The host name of HANDOFF_PUBLIC_URL, which every Message-ID ends in. */
  messageIdHost: string;
  workflow(briefId: string): WorkflowHandle;
  /** The brief as its workflow holds it (the `brief` query). */
  queryBrief(briefId: string): Promise<BriefView>;
  /** The tails of the processes' output, for failure messages. */
  logs(): string;
  cleanup(): Promise<void>;
}

/** The settings every fault test runs with: quick delivery retries, a lost attempt noticed within seconds, no rate limit in the way. */
export const FAULT_DEFAULTS: Record<string, string> = {
  HANDOFF_DELIVERY_RETRY_INITIAL: 'PT1S',
  HANDOFF_DELIVERY_RETRY_MAX: 'PT5S',
  HANDOFF_DELIVERY_ATTEMPT_TIMEOUT: 'PT10S',
  HANDOFF_RATE_LIMIT: '1000000',
  HANDOFF_RATE_LIMIT_PER_ADDRESS: '10000000',
  HANDOFF_RATE_LIMIT_METRICS: '1000000',
  HANDOFF_RATE_LIMIT_PER_LINK: '1000000',
  HANDOFF_MAX_STREAMS_PER_MEMBER: '10000',
  HANDOFF_SEED_DEMO: 'false',
  // The fault receivers listen on 127.0.0.1, which Handoff reaches only when allowed.
  HANDOFF_OUTBOUND_ALLOW: '127.0.0.1/32',
};

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-faults-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    const temporal = await temporalServer(path.join(dataDir, 'temporal.sqlite'));
    cleanups.push(() => temporal.kill('SIGKILL'));
    await temporal.start();

    const postgres = await createPostgresDatabase();
    cleanups.push(() => postgres.drop());
    const target = new URL(postgres.url);
    const proxies = {
      worker: await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }),
      api: await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }),
    };
    cleanups.push(() => proxies.worker.stop(), () => proxies.api.stop());

    const smtp = await startSmtpReceiver();
    const webhooks = await startHttpReceiver();
    cleanups.push(() => smtp.stop(), () => webhooks.stop());

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const shared = {
      ...FAULT_DEFAULTS,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `handoff-faults-${randomBytes(4).toString('hex')}`,
      SMTP_URL: smtp.url,
      HANDOFF_DATA_DIR: dataDir,
      HANDOFF_PUBLIC_URL: url,
      HANDOFF_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      ...options.env,
    };
    migrate({ ...shared, DATABASE_URL: postgres.url });

    const worker = workerProcess({ ...shared, DATABASE_URL: throughProxy(postgres.url, proxies.worker) });
    const api = apiProcess({ ...shared, DATABASE_URL: throughProxy(postgres.url, proxies.api), PORT: String(port) });
    cleanups.push(() => worker.kill('SIGKILL'), () => api.kill('SIGKILL'));
    await Promise.all([worker.start(), api.start()]);

    const db = await openDatabase({ databaseUrl: postgres.url });
    cleanups.push(() => db.close());
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const temporalClient = new Client({ connection });

    const dir = directory(url);
    const shopId = await dir.party('Shop', 'ecommerce');
    const agencyId = await dir.party('Pixelwerk', 'agency');
    const manager = await dir.memberWith(shopId, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', webhookUrl: webhooks.url });
    const agent = await dir.memberWith(agencyId, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', webhookUrl: webhooks.url });
    const people: People = { shopId, agencyId, manager, agent, emails: { [manager.id]: 'mara@shop.example', [agent.id]: 'paula@pixelwerk.example' } };

    const workflow = (briefId: string) => temporalClient.workflow.getHandle(briefWorkflowId(briefId));
    return {
      temporal,
      worker,
      api,
      url,
      proxies,
      db,
      smtp,
      webhooks,
      temporalClient,
      people,
      admin: dir.admin,
      messageIdHost: new URL(url).hostname,
      workflow,
      queryBrief: (briefId) => workflow(briefId).query(briefQuery),
      logs: () => [temporal, worker, api].map((p) => p.tail()).join('\n'),
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
