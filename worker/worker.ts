// Builds the Temporal worker that runs brief workflows and their activities.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BriefActivities } from '../activities/types';
import type { Config } from '../lib/config';
import { bundleInThread } from './bundle-in-thread';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Where `npm run build:workflows` writes the prebuilt bundle that production loads. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: BriefActivities;
  /** Use the prebuilt bundle when it exists (production); otherwise bundle from source. */
  preferBundle?: boolean;
  options?: Partial<WorkerOptions>;
}

export async function createWorker({ connection, namespace, taskQueue, activities, preferBundle, options }: WorkerDeps): Promise<Worker> {
  const workflowSource =
    options?.workflowsPath || options?.workflowBundle
      ? {}
      : preferBundle && existsSync(WORKFLOW_BUNDLE_PATH)
        ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
        : { workflowBundle: { code: await bundleInThread(WORKFLOWS_PATH) } };
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...workflowSource,
    ...options,
  });
}

/** The worker options Handoff's configuration sets (see Config.worker). */
export function workerTuning({ worker }: Pick<Config, 'worker'>): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: worker.maxWorkflowTasks,
    maxConcurrentLocalActivityExecutions: worker.maxWorkflowTasks,
    maxConcurrentActivityTaskExecutions: worker.maxActivities,
    shutdownGraceTime: worker.shutdownGraceMs,
  };
}
