// Records and writes the histories of workflows for the replay tests, one file per run: shared by
// the recording scripts of every workflow type (record.ts, record-policy-application.ts,
// record-reconciler.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { devServerEnv } from '../support/temporal';
import { historyToJSON } from './history-json';

const WORKFLOWS_PATH = require.resolve('../../workflows');

/** The run ids of a workflow, first to last, by the ContinuedAsNew event that ends each run. */
export async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    runs.push(runId);
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return runs;
}

/**
 * Writes every run of a finished workflow to `folder`: <name>.json for a single run, else
 * <name>.run-<n>.json per run. Answers what was written.
 */
export async function writeRunHistories(client: Client, workflowId: string, firstRunId: string, folder: string, name: string): Promise<string[]> {
  const runs = await runsOf(client, workflowId, firstRunId);
  const written: string[] = [];
  for (const [i, runId] of runs.entries()) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = runs.length === 1 ? `${name}.json` : `${name}.run-${i + 1}.json`;
    writeFileSync(path.join(folder, file), historyToJSON(history) + '\n');
    written.push(`${file} (${history.events?.length ?? 0} events)`);
  }
  return written;
}

/** The folder of the history set that HISTORY_SET names under test/replay/<histories>, e.g. test/replay/policy-application/v1-initial. */
export function historySetFolder(histories: string): string {
  const set = process.env.HISTORY_SET;
  if (!set || !/^[\w.-]+$/.test(set)) throw new Error('set HISTORY_SET to a folder name for this recording, e.g. HISTORY_SET=v4-my-change');
  return path.join(__dirname, histories, set);
}

export interface Recording<S extends string> {
  /** Where the histories go (historySetFolder). */
  folder: string;
  taskQueue: string;
  /** Stubs that only answer: a history holds the activities' results, not their effects. */
  activities: object;
  /** Recorded in this order. */
  scenarios: readonly S[];
  /**
   * The dynamic config of the dev server a scenario is recorded on (see devServerEnv), e.g. a low
   * `limit.historyCount.suggestContinueAsNew`; scenarios with the same config share a server.
   */
  dynamicConfig?(scenario: S): Record<string, unknown> | undefined;
  /** Starts the scenario's workflow on the task queue and drives it as far as it needs driving; answers its handle. */
  record(client: Client, scenario: S): Promise<WorkflowHandleWithFirstExecutionRunId>;
}

/**
 * Records every scenario on a Temporal dev server (in memory) with a worker of the current
 * workflows and the stub activities, waits for each workflow's result and writes its runs'
 * histories (writeRunHistories).
 */
export async function recordHistories<S extends string>({ folder, taskQueue, activities, scenarios, dynamicConfig, record }: Recording<S>): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const configs = new Map<string, { config: Record<string, unknown>; scenarios: S[] }>();
  for (const scenario of scenarios) {
    const config = dynamicConfig?.(scenario) ?? {};
    const key = JSON.stringify(config);
    if (!configs.has(key)) configs.set(key, { config, scenarios: [] });
    configs.get(key)!.scenarios.push(scenario);
  }
  for (const { config, scenarios: onServer } of configs.values()) {
    const env = await devServerEnv({ dynamicConfig: config });
    try {
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
      await worker.runUntil(async () => {
        for (const scenario of onServer) {
          const handle = await record(env.client, scenario);
          await handle.result();
          const written = await writeRunHistories(env.client, handle.workflowId, handle.firstExecutionRunId, folder, scenario);
          console.log(`${scenario}: ${written.join(', ')}`);
        }
      });
    } finally {
      await env.teardown();
    }
  }
}

/** Runs a recording script's main function: any failure is printed and exits non-zero. */
export function runRecording(main: () => Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
