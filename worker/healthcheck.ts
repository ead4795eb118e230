// `node --import tsx worker/healthcheck.ts`: the worker container's health check. Exits 0 while
// Temporal lists a worker of this host (identity pid@hostname) among the pollers of the workflow
// task queue in the last two minutes, 1 otherwise. Connects as the worker does (TLS, API key).
import os from 'node:os';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { securityOptions } from '../lib/temporal/runtime';

const RECENT_S = 120;

async function main(): Promise<boolean> {
  const config = loadConfig();
  const { address, namespace, taskQueue, tls, apiKey } = config.temporal;
  if (!address) return false;
  const connection = await Connection.connect({ address, connectTimeout: 4_000, ...securityOptions({ tls, apiKey }) });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    const suffix = `@${os.hostname()}`;
    const since = Date.now() / 1000 - RECENT_S;
    return (pollers ?? []).some((p) => String(p.identity ?? '').endsWith(suffix) && Number(p.lastAccessTime?.seconds ?? 0) >= since);
  } finally {
    await connection.close();
  }
}

main().then(
  (healthy) => process.exit(healthy ? 0 : 1),
  () => process.exit(1),
);
